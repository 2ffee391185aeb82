// fetchmail against the POP3 server, over STLS: keep mode (a second run fetches only the new
// message, by UIDL) and delete mode (the maildrop ends empty).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pop3Fixture, run, type Pop3Fixture } from './helpers.ts';

const msg = (n: number) => `From: a@example.org\r\nMessage-ID: <fetch${n}@example.org>\r\nSubject: fetch ${n}\r\n\r\nbody ${n}\r\n.dot line\r\n`;

describe('fetchmail', () => {
  let f: Pop3Fixture;
  let dir: string;
  before(async () => {
    f = await pop3Fixture({ dev: false });
    dir = mkdtempSync(path.join(tmpdir(), 'homepost-fetchmail-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await f.close();
  });

  // One message per file; fetchmail hands each to the MDA with LF line ends and a Received: field.
  function fetch(mode: 'keep' | 'nokeep') {
    const out = path.join(dir, mode);
    const rc = path.join(dir, `rc-${mode}`);
    writeFileSync(
      rc,
      `set no bouncemail\n` +
        `poll 127.0.0.1 service ${f.port} protocol pop3 uidl auth password\n` +
        `  user "${f.user}" password "${f.password}" sslproto "tls1.2+" no sslcertck\n` +
        `  ${mode} mda "/bin/sh -c 'mkdir -p ${out} && cat > ${out}/$$'"\n`,
    );
    chmodSync(rc, 0o600);
    return run('fetchmail', ['-f', rc, '-v', '--nosyslog', '--idfile', path.join(dir, `ids-${mode}`)], {
      env: { ...process.env, HOME: dir, FETCHMAILHOME: dir },
    });
  }
  const fetched = (mode: string) => {
    try {
      return readdirSync(path.join(dir, mode)).map((n) => readFileSync(path.join(dir, mode, n), 'latin1'));
    } catch {
      return [];
    }
  };
  const bodyOf = (n: number) => msg(n).replace(/\r\n/g, '\n');

  it('keep mode: the second run fetches only the new message', async () => {
    await f.deliver(msg(1));
    await f.deliver(msg(2));
    const first = await fetch('keep');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stderr + first.stdout, /STLS/);
    let got = fetched('keep');
    assert.equal(got.length, 2);
    for (const n of [1, 2])
      assert.ok(
        got.some((m) => m.endsWith(bodyOf(n))),
        `message ${n}`,
      );
    assert.equal(f.uids().length, 2);

    await f.deliver(msg(3));
    const second = await fetch('keep');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    got = fetched('keep');
    assert.equal(got.length, 3);
    assert.equal(got.filter((m) => m.endsWith(bodyOf(3))).length, 1);
    assert.equal(got.filter((m) => m.endsWith(bodyOf(1))).length, 1);
    // Nothing new: fetchmail exits 1 ("no mail").
    const third = await fetch('keep');
    assert.equal(third.code, 1, third.stdout + third.stderr);
    assert.equal(fetched('keep').length, 3);
    assert.equal(f.uids().length, 3);
  });

  it('delete mode: every message fetched once and removed from the maildrop', async () => {
    const third = await fetch('nokeep');
    assert.equal(third.code, 0, third.stdout + third.stderr);
    const got = fetched('nokeep');
    assert.equal(got.length, 3);
    for (const n of [1, 2, 3])
      assert.ok(
        got.some((m) => m.endsWith(bodyOf(n))),
        `message ${n}`,
      );
    assert.deepEqual(f.uids(), []);
  });
});
