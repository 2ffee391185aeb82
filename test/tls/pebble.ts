// Pebble, Let's Encrypt's ACME test server (Debian's pebble package), on 127.0.0.1, with
// pebble-challtestsrv as its DNS server: every name resolves to 127.0.0.1 (or the address set with
// setAddress), so HTTP-01 validation reaches the homepost HTTP listener on httpPort. Its directory's
// HTTPS certificate comes from a CA made here (caFile, for the acme.caFile setting).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { freePort, waitForPort } from '../support/ports.ts';
import { issue, rootCa } from './pki.ts';

export interface Pebble {
  directoryUrl: string;
  caFile: string;
  httpPort: number;
  // Pebble's root, which issued the intermediate that signs its certificates.
  root(): Promise<string>;
  // Where the DNS server sends every name from now on.
  setAddress(ip: string): Promise<void>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code) => {
    if (code && process.env.HOMEPOST_TEST_LOG) process.stderr.write(`${cmd} exited ${code}:\n${out}\n`);
  });
  return child;
}

export async function startPebble(dir: string): Promise<Pebble> {
  const [acmePort, mgmtPort, httpPort, tlsPort, dnsPort, dnsMgmtPort] = await Promise.all(Array.from({ length: 6 }, freePort));
  const ca = rootCa(dir, 'pebble-https-ca');
  const leaf = issue(dir, ca, 'pebble-https', { names: ['127.0.0.1', 'localhost'] });
  const config = path.join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: leaf.certFile,
        privateKey: leaf.keyFile,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const dns = run('pebble-challtestsrv', [
    '-dns01',
    `127.0.0.1:${dnsPort}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-management',
    `127.0.0.1:${dnsMgmtPort}`,
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
  ]);
  // Validation on almost every order (reused authorizations: see acme.test.ts), no artificial
  // delays or bad nonces.
  const pebble = run('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_VA_ALWAYS_VALID: '0',
    PEBBLE_AUTHZREUSE: '0',
    PEBBLE_WFE_NONCEREJECT: '0',
  });
  await Promise.all([waitForPort(acmePort), waitForPort(dnsMgmtPort)]);
  const manage = async (url: string, body?: object) => {
    const r = await fetch(url, body ? { method: 'POST', body: JSON.stringify(body) } : {});
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.text();
  };
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    caFile: ca.certFile,
    httpPort,
    // The management interface serves it over HTTPS with the same certificate.
    root: () => httpsGet(`https://127.0.0.1:${mgmtPort}/roots/0`, ca.cert),
    setAddress: async (ip) => void (await manage(`http://127.0.0.1:${dnsMgmtPort}/set-default-ipv4`, { ip })),
    async stop() {
      for (const c of [pebble, dns]) {
        if (c.exitCode === null) {
          await new Promise((r) => {
            c.once('exit', r);
            c.kill();
          });
        }
      }
    },
  };
}

// A GET over HTTPS trusting ca (fetch takes no CA option).
function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}
