// What the junk filter's end-to-end tests share: homepost with SMTP and IMAP on 127.0.0.1 whose
// loopback is not trusted (its mail is mail from the internet), and a message sent to its
// development account on port 25.
import assert from 'node:assert/strict';
import { parseServeOptions } from '../../src/config/options.ts';
import { createImapService } from '../../src/imap/server.ts';
import { silentLogger } from '../../src/log/log.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import type { ServiceStarter } from '../../src/service/context.ts';
import { createSmtpService } from '../../src/smtpserver/service.ts';
import { RawSmtp, tableResolver } from '../smtp/harness.ts';

// DNS answered in process (NXDOMAIN); `more`: services besides SMTP and IMAP.
export async function startJunkServer(dataDir: string, more: ServiceStarter[] = []): Promise<RunningServer> {
  const options = parseServeOptions(['--dev', '--ephemeral', '--data', dataDir, '--hostname', 'mail.example.test'], {});
  const server = await startServer(options, silentLogger, [createSmtpService({ resolve: tableResolver({}) }), createImapService(), ...more]);
  await server.context.store.settings.set('smtp.trustedNetworks', []);
  return server;
}

export async function send(server: RunningServer, from: string, subject: string, body: string): Promise<void> {
  const c = await RawSmtp.connect(server.ports.smtp!);
  try {
    await c.reply();
    await c.command('EHLO client.example.org');
    assert.equal((await c.command(`MAIL FROM:<${from}>`)).code, 250);
    assert.equal((await c.command(`RCPT TO:<${server.devAccount!.address}>`)).code, 250);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(`From: <${from}>\r\nTo: <${server.devAccount!.address}>\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random()}@example.org>\r\n\r\n${body}\r\n`);
    const r = await c.command('.');
    assert.equal(r.code, 250, r.text);
  } finally {
    c.close();
  }
}
