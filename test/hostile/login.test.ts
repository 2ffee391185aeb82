// Password guessing against the shared authentication throttle (attack 6 of the issue), over IMAP
// LOGIN with implicit TLS from many loopback addresses at once, against `homepost serve` without
// --dev. The throttle must key on the account name as login normalizes it (one counter for every
// spelling of one account), count attempts still being checked, and re-check after its delays:
// per account 20 failures then locked, per client address 10. While locked: IMAP NO [UNAVAILABLE]
// (RFC 5530), POP3 -ERR [LOGIN-DELAY] (RFC 2449 8.1.1), SMTP 454 4.7.0 for the account and 421
// 4.7.0 for the address (RFC 4954 6), the setup page 429 (RFC 6585 4). The log says
// auth.login_failed and auth.locked with the protocol.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeMailAddress } from '../../src/store/addresses.ts';
import { accountSpellings, imapLogin, loopbackRange, parallelImapLogins, type HostileServer } from '../support/attacks.ts';
import { findingsOf, observe, OBSERVER, pop3Login, serverForFile, setupPageAttempt, smtpAuth, VICTIMS, type Findings } from './support.ts';

const server = serverForFile();

const FAILED = /^NO \[AUTHENTICATIONFAILED\]/;
const LOCKED = /^NO \[UNAVAILABLE\]/;

// The log records this test added, of one event.
// The events about one account since from (another test's late lines about its own victim, as a
// refusal logged just after this test began, are not this test's).
function logged(s: HostileServer, from: number, event: string, user: string): Record<string, unknown>[] {
  return s
    .records()
    .slice(from)
    .filter((r) => r.event === event && r.user === user);
}

function tally(answers: string[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const k = FAILED.test(a) ? 'AUTHENTICATIONFAILED' : LOCKED.test(a) ? 'UNAVAILABLE' : a.slice(0, 60);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

// The log lines come through the server's stdout, a channel apart from the clients' sockets: the
// last may arrive after the answer it goes with, so they are waited for (up to 5 s) first.
async function checkLog(findings: Findings, s: HostileServer, mark: number, checked: number, user: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && (logged(s, mark, 'auth.login_failed', user).length < checked || logged(s, mark, 'auth.locked', user).length === 0))
    await new Promise((r) => setTimeout(r, 50));
  const failed = logged(s, mark, 'auth.login_failed', user);
  findings.check(() => assert.equal(failed.length, checked, `one auth.login_failed per checked attempt (${checked})`));
  findings.check(() =>
    assert.ok(
      failed.every((r) => r.protocol === 'imap'),
      'auth.login_failed says protocol imap',
    ),
  );
  const locked = logged(s, mark, 'auth.locked', user);
  findings.check(() => assert.ok(locked.length > 0 && locked.every((r) => r.protocol === 'imap'), `auth.locked with protocol imap (${locked.length} lines)`));
}

test('attack 6: 60 wrong passwords for one account at once from 60 addresses: exactly 20 checked, 40 refused as locked', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const victim = VICTIMS[0]!;
    const mark = s.records().length;
    const { result, report } = await observe(s, () =>
      parallelImapLogins({ port: s.ports.imaps, users: [victim.address], password: 'wrong password', addresses: loopbackRange(258, 60), attempts: 60 }),
    );
    findings.check(() => assert.equal(result.filter((a) => FAILED.test(a)).length, 20, `20 checked and failed: ${tally(result)}`));
    findings.check(() => assert.equal(result.filter((a) => LOCKED.test(a)).length, 40, `40 refused as locked: ${tally(result)}`));
    findings.responsive(report);
    findings.survived(s);
    await checkLog(findings, s, mark, 20, victim.address);
    // The account is locked everywhere, even for the right password from a new address.
    const imap = await imapLogin({ port: s.ports.imaps, tls: true, localAddress: '127.0.1.100', user: victim.address, password: victim.password }).then(
      (w) => {
        w.close();
        return 'OK';
      },
      (e: Error) => e.message,
    );
    findings.check(() => assert.match(imap, /NO \[UNAVAILABLE\]/, 'IMAP LOGIN with the right password while the account is locked'));
    const pop3 = await pop3Login(s, victim.address, victim.password, '127.0.1.100');
    findings.check(() => assert.match(pop3, /^-ERR \[LOGIN-DELAY\]/, 'POP3 PASS while the account is locked'));
    const smtp = await smtpAuth(s, victim.address, victim.password, '127.0.1.100');
    findings.check(() => assert.equal(`${smtp.code} ${smtp.enhanced}`, '454 4.7.0', `SMTP AUTH while the account is locked: ${smtp.text}`));
  }),
);

test('attack 6: twenty spellings of one account (soft hyphen, fullwidth, U+3002, trailing dot) share one counter', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const victim = VICTIMS[1]!;
    const spellings = accountSpellings(victim.address, 20);
    // Each logs into the account, and no two are the same after toLowerCase().
    assert.ok(spellings.every((sp) => normalizeMailAddress(sp) === victim.address));
    assert.equal(new Set(spellings.map((sp) => sp.toLowerCase())).size, 20);
    const mark = s.records().length;
    const { result, report } = await observe(s, () =>
      parallelImapLogins({ port: s.ports.imaps, users: spellings, password: 'wrong password', addresses: loopbackRange(358, 20), attempts: 20 }),
    );
    findings.check(() =>
      assert.ok(
        result.every((a) => FAILED.test(a) || LOCKED.test(a)),
        tally(result),
      ),
    );
    findings.responsive(report);
    findings.survived(s);
    const right = await imapLogin({ port: s.ports.imaps, tls: true, localAddress: '127.0.1.130', user: victim.address, password: victim.password }).then(
      (w) => {
        w.close();
        return 'OK: logged in';
      },
      (e: Error) => e.message,
    );
    findings.check(() => assert.match(right, /NO \[UNAVAILABLE\]/, `after 20 failures under 20 spellings the account is locked (${tally(result)})`));
    // Every checked spelling logged as a failure; the refused right password as auth.locked.
    await checkLog(findings, s, mark, result.filter((a) => FAILED.test(a)).length, victim.address);
  }),
);

test('attack 6: 60 wrong passwords at once from ONE address: exactly 10 checked; the address is locked everywhere', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const victim = VICTIMS[2]!;
    const address = '127.0.1.200';
    const mark = s.records().length;
    // 15 connections (under the 20 allowed before login) of 4 attempts each.
    const { result, report } = await observe(s, () =>
      parallelImapLogins({ port: s.ports.imaps, users: [victim.address], password: 'wrong password', addresses: [address], attempts: 60, perConnection: 4 }),
    );
    findings.check(() => assert.equal(result.filter((a) => FAILED.test(a)).length, 10, `10 checked and failed: ${tally(result)}`));
    findings.check(() => assert.equal(result.filter((a) => LOCKED.test(a)).length, 50, `50 refused as locked: ${tally(result)}`));
    findings.responsive(report);
    findings.survived(s);
    await checkLog(findings, s, mark, 10, victim.address);
    // The address is locked for every account and protocol; another address is not.
    const pop3 = await pop3Login(s, OBSERVER.address, OBSERVER.password, address);
    findings.check(() => assert.match(pop3, /^-ERR \[LOGIN-DELAY\]/, 'POP3 from the locked address'));
    const smtp = await smtpAuth(s, OBSERVER.address, OBSERVER.password, address);
    findings.check(() => assert.equal(`${smtp.code} ${smtp.enhanced}`, '421 4.7.0', `SMTP AUTH from the locked address: ${smtp.text}`));
    const page = await setupPageAttempt(s, address);
    findings.check(() => assert.equal(page, 429, 'the setup page from the locked address'));
    const other = await imapLogin({ port: s.ports.imaps, tls: true, localAddress: '127.0.1.201', user: OBSERVER.address, password: OBSERVER.password }).then(
      (w) => {
        w.close();
        return 'OK';
      },
      (e: Error) => e.message,
    );
    findings.check(() => assert.equal(other, 'OK', 'another address logs in'));
  }),
);
