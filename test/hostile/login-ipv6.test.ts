// IPv6 clients are counted per /64 (a single host holds a whole /64; counting per /128 gives an
// attacker 2^64 fresh addresses): by the authentication throttle (10 failures lock the /64) and by
// the limit on connections before login (20 per /64). As root, the test adds addresses of the
// unique local prefix fd68:6f6d:6570::/48 to `lo` (and removes them afterwards); IMAP and IMAPS
// listen on fd68:6f6d:6570:1::1, the other services on 127.0.0.1. Not root, or no IPv6 on lo:
// the tests fail and say why (CI runs as root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { imapLogin, parallelImapLogins } from '../support/attacks.ts';
import { Wire } from '../support/wire.ts';
import { findingsOf, observe, OBSERVER, serverForFile, VICTIMS } from './support.ts';

const PREFIX = 'fd68:6f6d:6570';
const SERVER = `${PREFIX}:1::1`;
const LOCKED_64 = Array.from({ length: 12 }, (_, i) => `${PREFIX}:2::${(0x10 + i).toString(16)}`);
const OTHER_64 = `${PREFIX}:3::10`;
const CONNECTIONS_64 = Array.from({ length: 21 }, (_, i) => `${PREFIX}:4::${(0x10 + i).toString(16)}`);
const OBSERVER_64 = `${PREFIX}:5::250`;
const ADDRESSES = [SERVER, ...LOCKED_64, OTHER_64, ...CONNECTIONS_64, OBSERVER_64];

function cannotRun(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to add IPv6 addresses to lo';
  try {
    if (readFileSync('/proc/sys/net/ipv6/conf/lo/disable_ipv6', 'utf8').trim() !== '0') return 'IPv6 is disabled on lo';
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'no IPv6 or no ip(8)';
  }
  return null;
}

// ip -force goes on past errors (deleting what is not there) but still exits 1 then.
function ip(op: 'add' | 'del'): void {
  try {
    execFileSync('ip', ['-6', '-force', '-batch', '-'], {
      input: ADDRESSES.map((a) => `addr ${op} ${a}/128 dev lo${op === 'add' ? ' nodad' : ''}`).join('\n'),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (e) {
    if (op === 'add') throw e;
  }
}

const server = serverForFile(
  { args: ['--listen', `imap=[${SERVER}]:0`, '--listen', `imaps=[${SERVER}]:0`] },
  {
    setup: () => {
      const why = cannotRun();
      if (why) assert.fail(`this test ${why}`);
      ip('del');
      ip('add');
    },
    teardown: () => ip('del'),
  },
);

const imapOptions = { imapHost: SERVER, imapFrom: OBSERVER_64 };

test('IPv6: 11 wrong passwords from 11 addresses of one /64: 10 checked, then the whole /64 is locked', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const { result, report } = await observe(
      s,
      () =>
        parallelImapLogins({
          port: s.ports.imaps,
          host: SERVER,
          users: [VICTIMS[3]!.address],
          password: 'wrong password',
          addresses: LOCKED_64.slice(0, 11),
          attempts: 11,
        }),
      imapOptions,
    );
    const failed = result.filter((a) => /^NO \[AUTHENTICATIONFAILED\]/.test(a)).length;
    const locked = result.filter((a) => /^NO \[UNAVAILABLE\]/.test(a)).length;
    findings.check(() =>
      assert.ok(failed === 10 && locked === 1, `10 checked for the /64, the 11th refused; got ${failed} AUTHENTICATIONFAILED, ${locked} UNAVAILABLE`),
    );
    findings.responsive(report);
    findings.survived(s);
    const login = (from: string) =>
      imapLogin({ port: s.ports.imaps, host: SERVER, tls: true, localAddress: from, user: OBSERVER.address, password: OBSERVER.password }).then(
        (w) => {
          w.close();
          return 'OK';
        },
        (e: Error) => e.message,
      );
    const sameNet = await login(LOCKED_64[11]!);
    findings.check(() => assert.match(sameNet, /NO \[UNAVAILABLE\]/, 'a 12th address of the locked /64, with the right password'));
    const otherNet = await login(OTHER_64);
    findings.check(() => assert.equal(otherNet, 'OK', 'an address of another /64'));
  }),
);

test('IPv6: 21 connections before login from 21 addresses of one /64: the 21st gets * BYE', { timeout: 60_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const held: Wire[] = [];
    try {
      const greetings: string[] = [];
      for (const from of CONNECTIONS_64) {
        const w = await Wire.open({ port: s.ports.imap, host: SERVER, localAddress: from });
        held.push(w);
        greetings.push(await w.line(5000).catch((e: Error) => e.message));
      }
      findings.check(() =>
        assert.ok(
          greetings.slice(0, 20).every((g) => g.startsWith('* OK')),
          'the first 20 are greeted',
        ),
      );
      findings.check(() => assert.match(greetings[20]!, /^\* BYE /, 'the 21st address of the /64: * BYE at greeting (RFC 9051 7.1.5)'));
    } finally {
      for (const w of held) w.close();
    }
  }),
);
