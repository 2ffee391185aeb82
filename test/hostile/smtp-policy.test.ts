// Who may say they are who, over SMTP, against `homepost serve` without --dev (loopback not
// trusted, inbound SPF/DKIM/DMARC over a DNS server of the test): mail from outside claiming one of
// our domains in MAIL FROM or From: without SPF pass or an aligned DKIM pass gets 550 5.7.26
// (RFC 7372 3.2); an authenticated submission may name only the account's own addresses in From:,
// Sender: and Resent-From: (553 5.7.1); and postmaster (RFC 5321 4.5.1) takes mail for every local
// domain, bare, and the host name, delivered to the postmaster account (the first account).
// swaks is the client; the observer watches each group.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { dkimSign } from 'mailauth';
import { describeOutcome, ordinaryMessage, sendMail } from '../support/attacks.ts';
import { ALICE, CAROL, DNS, findingsOf, intact, observe, serverForFile, swaks } from './support.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkimRecord = `v=DKIM1; k=rsa; p=${(publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64')}`;

const server = serverForFile({
  dns: { ...DNS, 'sel._domainkey.example.net': { TXT: [dkimRecord] } },
  aliases: [{ address: 'sales@example.test', targets: [ALICE.address] }],
});

function message(headers: string, subject: string): string {
  return `${headers}\r\nTo: <${CAROL.address}>\r\nSubject: ${subject}\r\nMessage-ID: <${Date.now()}.${Math.random()}@example.org>\r\n\r\n${subject}\r\n`;
}

// Port 25 from an outside address (SPF for example.test allows 127.0.0.77 only).
const inbound = (from: string, data: string, address = '127.0.0.78') =>
  swaks(['--port', String(server().ports.smtp), '--from', from, '--to', ALICE.address, '--local-interface', address], data);

test('port 25: our domains in MAIL FROM or From: without SPF or aligned DKIM pass get 550 5.7.26', { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const cases: [string, string, string][] = [
      ['MAIL FROM of example.test, SPF fail', ALICE.address, message(`From: <${ALICE.address}>`, 'spoofed envelope and header')],
      ['MAIL FROM of example.net, no SPF record', CAROL.address, message(`From: <${CAROL.address}>`, 'spoofed example.net')],
      ['From: of example.test, envelope outside', 'mallory@example.org', message(`From: Alice <${ALICE.address}>`, 'spoofed header only')],
    ];
    const { result, report } = await observe(server(), () => Promise.all(cases.map(([, from, data]) => inbound(from, data))));
    for (const [i, r] of result.entries()) {
      findings.check(() => assert.ok(r.code === 550 && r.text.startsWith('5.7.26'), `${cases[i]![0]}: 550 5.7.26, got ${r.code} ${r.text}`));
    }
    findings.responsive(report);
    findings.survived(server());

    // What may pass: SPF pass from the allowed address, an aligned DKIM signature, outside mail.
    const spfPass = await inbound(ALICE.address, message(`From: <${ALICE.address}>`, 'SPF pass'), '127.0.0.77');
    findings.check(() => assert.equal(spfPass.code, 250, `SPF pass for example.test is accepted: ${spfPass.text}`));
    const unsigned = message(`From: <${CAROL.address}>`, 'DKIM pass');
    const { signatures } = await dkimSign(unsigned, {
      signatureData: [{ signingDomain: 'example.net', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string }],
    } as never);
    const dkimPass = await inbound(CAROL.address, signatures + unsigned);
    findings.check(() => assert.equal(dkimPass.code, 250, `an aligned DKIM pass for example.net is accepted: ${dkimPass.text}`));
    const outside = await inbound('friend@example.org', message('From: <friend@example.org>', 'outside sender'));
    findings.check(() => assert.equal(outside.code, 250, `outside mail is accepted: ${outside.text}`));
  }),
);

test("submission: From:, Sender: and Resent-From: must be the account's own addresses, else 553 5.7.1", { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const submit = (data: string) =>
      swaks(
        [
          '--port',
          String(server().ports.submission),
          '-tls',
          '--auth',
          'PLAIN',
          '--auth-user',
          ALICE.address,
          '--auth-password',
          ALICE.password,
          '--from',
          ALICE.address,
          '--to',
          CAROL.address,
        ],
        data,
      );
    const refused: [string, string][] = [
      ['two addresses in From: without a comma', `From: <${ALICE.address}> <bob@elsewhere.test>`],
      ['a foreign address in a From: list', `From: <${ALICE.address}>, <bob@elsewhere.test>`],
      ['a foreign Sender:', `From: <${ALICE.address}>\r\nSender: <bob@elsewhere.test>`],
      ['a foreign Resent-From:', `From: <${ALICE.address}>\r\nResent-From: <bob@elsewhere.test>`],
    ];
    const { result, report } = await observe(server(), () => Promise.all(refused.map(([what, h]) => submit(message(h, what)))));
    for (const [i, r] of result.entries()) {
      findings.check(() => assert.ok(r.code === 553 && r.text.startsWith('5.7.1'), `${refused[i]![0]}: 553 5.7.1, got ${r.code} ${r.text}`));
    }
    findings.responsive(report);
    findings.survived(server());
    for (const [what, h] of [
      ['own address', `From: Alice <${ALICE.address}>`],
      ['own alias', 'From: Sales <sales@example.test>\r\nSender: <alice@example.test>'],
      ['own Resent-From', `From: <${ALICE.address}>\r\nResent-From: Sales <sales@example.test>`],
    ]) {
      const r = await submit(message(h!, what!));
      findings.check(() => assert.equal(r.code, 250, `${what}: accepted, got ${r.code} ${r.text}`));
    }
  }),
);

test('postmaster: every local domain, bare <Postmaster> and the host name get 250, delivered to the first account', { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const recipients = ['postmaster@example.test', 'postmaster@example.net', 'Postmaster', 'postmaster@mail.example.test', 'POSTMASTER@EXAMPLE.NET'];
    const sent: Buffer[] = [];
    const { result, report } = await observe(server(), () =>
      Promise.all(
        recipients.map((to) => {
          const m = ordinaryMessage(`for ${to}`, { to: to.includes('@') ? to : 'postmaster' });
          sent.push(m);
          return sendMail(m, { port: server().ports.smtp, localAddress: '127.0.0.79', to: [to] });
        }),
      ),
    );
    for (const [i, out] of result.entries()) {
      // RFC 5321 4.5.1: every domain the server takes mail for has a postmaster.
      findings.check(() => assert.equal(out.reply?.code, 250, `RCPT TO:<${recipients[i]}>: ${describeOutcome(out)}`));
    }
    findings.responsive(report);
    findings.survived(server());
    await findings.checkAsync(() =>
      intact(
        server(),
        sent.filter((_, i) => result[i]!.reply?.code === 250),
      ),
    );
  }),
);
