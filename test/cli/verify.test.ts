// `homepost verify` on a clean store and on one damaged on purpose through LMDB, offline and
// through the daemon, and the daemon's start-up pass over bodies an older MIME parser parsed.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { hashNewPassword } from '../../src/auth/password.ts';
import { parseServeOptions } from '../../src/config/options.ts';
import type { VerifyResult } from '../../src/api/commands/verify.ts';
import { createControlService } from '../../src/control/server.ts';
import { createLogger } from '../../src/log/log.ts';
import { MIME_FORMAT_VERSION } from '../../src/mime/types.ts';
import { startServer } from '../../src/serve/server.ts';
import { metaKey, PARSED_SINCE, rawKey } from '../../src/store/bodies.ts';
import { Store } from '../../src/store/index.ts';
import { openEnv } from '../../src/store/open.ts';
import type { BodyMetaRecord } from '../../src/store/records.ts';
import { message, storeInternals, tempDir } from '../support/temp-store.ts';
import { runCli, runJson } from './run-cli.ts';

describe('homepost verify', () => {
  let dir: string;
  let data: string[];
  let hashes: Buffer[];
  before(async () => {
    dir = tempDir('homepost-verify-');
    data = ['--data', dir];
    const store = await Store.open(dir);
    await store.domains.add('example.test');
    const account = await store.accounts.create({ address: 'user@example.test', passwordHash: await hashNewPassword('correct horse 1') });
    const inbox = store.mailboxes.get(account.id, 'INBOX')!;
    for (let n = 1; n <= 3; n++) await store.messages.append({ mailboxId: inbox.id, raw: message(n) });
    hashes = store.messages.list(inbox.id).map((m) => m.hash);
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Changes the store file with LMDB itself, as a bug or a bad disk would, while nothing has it open.
  async function damage(fn: (bodies: ReturnType<typeof openEnv>['dbs']['bodies'], meta: ReturnType<typeof openEnv>['dbs']['meta']) => void) {
    const { env, dbs } = openEnv(dir);
    try {
      await env.transaction(() => fn(dbs.bodies, dbs.meta));
    } finally {
      await env.close();
    }
  }

  test('a clean store: exit 0 and "no problems"', async () => {
    const r = await runCli(['verify', ...data]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'no problems found (3 bodies checked)\n', '']);
    assert.deepEqual(await runJson<VerifyResult>(['verify', ...data]), { problems: [], bodies: 3, staleParsed: 0, mimeFormatVersion: MIME_FORMAT_VERSION });
  });

  test('a body whose raw message is gone: exit 1, one line per problem, a summary', async () => {
    await damage((bodies) => bodies.removeSync(rawKey(hashes[0])));
    const r = await runCli(['verify', ...data]);
    assert.equal(r.code, 1);
    const id = hashes[0].toString('hex').slice(0, 12);
    assert.deepEqual(r.stdout.split('\n'), [`problem: mailbox 1 uid 1: body missing`, `problem: body ${id}: record without raw`, '2 problems found', '']);
    const json = await runCli(['verify', '--json', ...data]);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).problems.length, 2);
  });

  test('through the daemon: stale parses are upgraded at start; a wrong reference count is found; both survive', async () => {
    // Repair the raw body; make one reference count wrong and one parse stale.
    await damage((bodies, metaDb) => {
      bodies.putSync(rawKey(hashes[0]), message(1));
      const meta = bodies.get(metaKey(hashes[1])) as BodyMetaRecord;
      bodies.putSync(metaKey(hashes[1]), { ...meta, refs: meta.refs + 1 });
      const stale = bodies.get(metaKey(hashes[2])) as BodyMetaRecord;
      bodies.putSync(metaKey(hashes[2]), { ...stale, parsed: { ...stale.parsed, version: MIME_FORMAT_VERSION - 1 } });
      // As a store written by that older parser says.
      metaDb.putSync(PARSED_SINCE, MIME_FORMAT_VERSION - 1);
    });
    const offline = await runCli(['verify', ...data]);
    assert.equal(offline.code, 1);
    assert.match(
      offline.stdout,
      new RegExp(
        `^problem: body ${hashes[1].toString('hex').slice(0, 12)}: refs 2, actual 1\n1 of 3 bodies parsed by an older MIME parser \\(before format ${MIME_FORMAT_VERSION}\\): homepost serve parses them again when it starts\n1 problem found\n$`,
      ),
    );

    const lines: string[] = [];
    let reparsed!: () => void;
    const done = new Promise<void>((resolve) => (reparsed = resolve));
    const log = createLogger({
      write: (line) => {
        lines.push(line);
        if (JSON.parse(line).event === 'store.reparse_done') reparsed();
      },
    });
    const server = await startServer(parseServeOptions(['--data', dir, '--ephemeral', '--hostname', 'mail.example.test'], {}), log, [createControlService()]);
    try {
      await done;
      const line = JSON.parse(lines.find((l) => l.includes('store.reparse_done'))!);
      assert.deepEqual([line.reparsed, line.failed], [1, 0]);
      const store = server.context.store;
      assert.equal(store.bodies.parsed(hashes[2])!.version, MIME_FORMAT_VERSION);

      const r = await runCli(['verify', '--json', ...data]);
      assert.equal(r.code, 1);
      assert.deepEqual(JSON.parse(r.stdout), {
        problems: [`body ${hashes[1].toString('hex').slice(0, 12)}: refs 2, actual 1`],
        bodies: 3,
        staleParsed: 0,
        mimeFormatVersion: MIME_FORMAT_VERSION,
      });
      // The daemon still answers, and its store still works.
      assert.equal((await runCli(['status', ...data])).code, 0);
      await storeInternals(store).write(() =>
        storeInternals(store).dbs.bodies.putSync(metaKey(hashes[1]), {
          ...(storeInternals(store).dbs.bodies.get(metaKey(hashes[1])) as BodyMetaRecord),
          refs: 1,
        }),
      );
      const clean = await runCli(['verify', ...data]);
      assert.deepEqual([clean.code, clean.stdout], [0, 'no problems found (3 bodies checked)\n']);
    } finally {
      await server.stop();
    }
  });
});
