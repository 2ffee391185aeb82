// `homepost backup` and `homepost restore` end to end (issue 18): a sealed backup taken by the
// running daemon while 16 nodemailer clients deliver, restored into a fresh data folder; the
// restored server, read with imapflow, has every message acknowledged before the backup started
// under the same UIDVALIDITY and UID, and the store passes `homepost verify`. Then what a restore
// must refuse, each time with the data folder left as it was.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { BackupResult } from '../../src/backup/create.ts';
import { Store } from '../../src/store/index.ts';
import { runCli, runJson } from '../cli/run-cli.ts';
import { type ServeChild, startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';

const DEV = 'dev@example.test';
const WORKERS = 16;

async function stop(s: ServeChild): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exited;
}

// Message-ID -> UID in the INBOX, and its UIDVALIDITY, read over IMAP by imapflow.
async function inboxOverImap(port: number, password: string): Promise<{ uidValidity: number; uids: Map<string, number> }> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: true,
    auth: { user: DEV, pass: password },
    tls: { rejectUnauthorized: false },
    logger: false,
  });
  await client.connect();
  try {
    const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
    const uids = new Map<string, number>();
    for await (const m of client.fetch('1:*', { uid: true, envelope: true })) {
      const id = m.envelope?.messageId?.replace(/^<|>$/g, '');
      assert.ok(id && !uids.has(id), `message ${m.uid}: id ${id} missing or twice`);
      uids.set(id, m.uid);
    }
    return { uidValidity: Number(mailbox.uidValidity), uids };
  } finally {
    await client.logout();
  }
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('homepost backup and restore', () => {
  const dirs: string[] = [];
  const dir = (prefix: string) => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };
  let data: string;
  let backups: string;
  let passphraseFile: string;
  let sealedFile: string;
  let plainFile: string;
  let original: { uidValidity: number; uids: Map<string, number> };
  let ackedBefore: string[];

  before(async () => {
    data = dir('homepost-backup-data-');
    backups = dir('homepost-backup-out-');
    passphraseFile = path.join(backups, 'passphrase');
    writeFileSync(passphraseFile, 'a long and winding passphrase\n');
    const server = await startServeChild({ dataDir: data, args: ['--dev'] });
    const acked: string[] = [];
    let stopping = false;
    const worker = async (w: number) => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.smtp, secure: false, ignoreTLS: true });
      try {
        for (let n = 0; !stopping; n++) {
          const id = `w${w}.n${n}@backup.example`;
          const raw = `From: load@remote.example\r\nTo: ${DEV}\r\nMessage-ID: <${id}>\r\nSubject: backup ${id}\r\n\r\n${'a line of text\r\n'.repeat(60)}`;
          const info = await transport.sendMail({ envelope: { from: 'load@remote.example', to: [DEV] }, raw });
          assert.deepEqual(info.accepted, [DEV]);
          acked.push(id);
        }
      } finally {
        transport.close();
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    try {
      while (acked.length < 200) await new Promise((r) => setTimeout(r, 20));
      // Every message acknowledged by now must be in the backup; the clients keep sending.
      ackedBefore = [...acked];
      const made = await runCli(['backup', '--data', data, '--to', backups, '--passphrase-file', passphraseFile, '--json'], { timeoutMs: 120_000 });
      assert.equal(made.code, 0, made.stderr);
      // The daemon's progress reports reach the CLI over the control socket.
      assert.match(made.stderr, /^homepost backup: \d+ of \d+ bytes \(\d+%\)$/m);
      sealedFile = (JSON.parse(made.stdout) as BackupResult).file;
      const during = acked.length;
      while (acked.length < during + 50) await new Promise((r) => setTimeout(r, 20));
      // A plain one too, once the load is over.
      stopping = true;
      await load;
      plainFile = (await runJson<BackupResult>(['backup', '--data', data, '--to', backups], { timeoutMs: 120_000 })).file;
      original = await inboxOverImap(server.ports.imap, readFileSync(path.join(data, 'dev-password'), 'utf8').trim());
      assert.equal(original.uids.size, acked.length);
    } finally {
      stopping = true;
      await load.catch(() => {});
      await stop(server);
    }
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('a sealed backup taken during 16-way delivery restores into a fresh folder: same messages, UIDVALIDITY and UIDs', async () => {
    assert.match(path.basename(sealedFile), /^homepost-backup-\d{8}-\d{6}\.tar\.sealed$/);
    assert.ok(!readFileSync(sealedFile).includes(Buffer.from('a line of text')), 'the sealed file holds plain text');
    const fresh = dir('homepost-backup-fresh-');
    const r = await runCli(['restore', sealedFile, '--passphrase-file', passphraseFile, '--data', fresh, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { accounts: number; messages: number; manifest: { files: { name: string }[] } };
    assert.deepEqual(
      result.manifest.files.map((f) => f.name),
      ['store.mdb', 'tls/cert.pem', 'tls/key.pem'],
    );
    assert.equal(result.accounts, 1);
    const verify = await runJson<{ problems: string[] }>(['verify', '--data', fresh]);
    assert.deepEqual(verify.problems, []);
    const server = await startServeChild({ dataDir: fresh, args: ['--dev'] });
    let restored: typeof original;
    try {
      restored = await inboxOverImap(server.ports.imap, readFileSync(path.join(fresh, 'dev-password'), 'utf8').trim());
    } finally {
      await stop(server);
    }
    assert.equal(restored.uidValidity, original.uidValidity);
    assert.equal(restored.uids.size, result.messages);
    const missing = ackedBefore.filter((id) => !restored.uids.has(id));
    assert.deepEqual(missing, [], 'acknowledged before the backup started, missing after the restore');
    for (const [id, uid] of restored.uids) assert.equal(uid, original.uids.get(id), `${id}: UID ${uid} restored, ${original.uids.get(id)} before`);
    // the restored certificate is the one the original served
    assert.equal(digest(path.join(fresh, 'tls', 'cert.pem')), digest(path.join(data, 'tls', 'cert.pem')));
  });

  test('a restore over a data folder keeps the previous store until --discard-previous', async () => {
    const target = dir('homepost-backup-over-');
    const before = await Store.open(target);
    await before.domains.add('other.example');
    await before.close();
    const oldStore = digest(path.join(target, 'store.mdb'));
    const r = await runCli(['restore', plainFile, '--data', target]);
    assert.equal(r.code, 0, r.stderr);
    const previous = readdirSync(target).filter((n) => n.startsWith('previous-'));
    assert.equal(previous.length, 1);
    assert.equal(digest(path.join(target, previous[0]!, 'store.mdb')), oldStore);
    assert.match(r.stdout, new RegExp(`${previous[0]} until homepost restore --discard-previous`));
    const store = await Store.open(target);
    try {
      assert.equal(store.domains.isLocal('other.example'), false);
      assert.equal(store.domains.isLocal('example.test'), true);
    } finally {
      await store.close();
    }
    assert.equal((await runCli(['restore', '--discard-previous', '--data', target])).code, 0);
    assert.deepEqual(
      readdirSync(target).filter((n) => n.startsWith('previous-') || n.startsWith('restore-')),
      [],
    );
  });

  test('refused before anything changes: no passphrase, a wrong one, a damaged file, a changed store, a running daemon', async () => {
    const target = dir('homepost-backup-refuse-');
    const seed = await Store.open(target);
    await seed.domains.add('kept.example');
    await seed.close();
    const untouched = () => {
      assert.deepEqual(readdirSync(target).sort(), ['store.mdb', 'store.mdb-lock']);
      assert.equal(digest(path.join(target, 'store.mdb')), storeDigest);
    };
    const storeDigest = digest(path.join(target, 'store.mdb'));
    const refused = async (file: string, extra: string[], message: RegExp) => {
      const r = await runCli(['restore', file, '--data', target, ...extra], { timeoutMs: 120_000 });
      assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      untouched();
    };
    await refused(sealedFile, [], /sealed: give its passphrase/);
    const wrong = path.join(backups, 'wrong');
    writeFileSync(wrong, 'not the passphrase\n');
    await refused(sealedFile, ['--passphrase-file', wrong], /passphrase is wrong/);
    const bytes = readFileSync(sealedFile);
    bytes[bytes.length - 100]! ^= 0x20;
    const damaged = path.join(backups, 'damaged.tar.sealed');
    writeFileSync(damaged, bytes);
    await refused(damaged, ['--passphrase-file', passphraseFile], /damaged/);
    // A byte of the store changed inside the plain archive: its checksum no longer matches.
    const plain = readFileSync(plainFile);
    const at = plain.indexOf(Buffer.from('store.mdb\0')) + 512 + 8192;
    plain[at]! ^= 1;
    const changed = path.join(backups, 'changed.tar');
    writeFileSync(changed, plain);
    await refused(changed, [], /store\.mdb does not match its checksum/);
    await refused(path.join(backups, 'passphrase'), [], /damaged or not a homepost backup/);
    // With the daemon running on the folder, nothing is read or written.
    const server = await startServeChild({ dataDir: target, args: ['--dev'] });
    try {
      const r = await runCli(['restore', plainFile, '--data', target]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /homepost is running on .*: stop it first/);
      assert.ok(!readdirSync(target).some((n) => n.startsWith('previous-') || n.startsWith('restore-')));
    } finally {
      await stop(server);
    }
    assert.ok(existsSync(path.join(target, 'store.mdb')));
  });
});
