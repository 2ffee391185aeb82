// Child of full.test.ts, run under a file size limit (ulimit -f) with SIGXFSZ ignored, so LMDB's
// writes past the limit fail with EFBIG as they would on a full disk. Delivers until the store
// refuses, then a few more times, and prints:
//   "D <tag>"           acknowledged
//   "E <tag> <code>"    refused with this StoreError code
//   "done"              still alive after the refusals
// With "reopen", the store is only opened again (its file at the limit, so its reserve cannot
// grow), and prints "R <messages in INBOX>" before trying to deliver.
// usage: node test/store/full-worker.ts DIR [reopen]
import { isStoreError, Store } from '../../src/store/index.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

const [dir, mode] = process.argv.slice(2);
const store = await Store.open(dir);
if (mode === 'reopen') {
  const inbox = store.mailboxes.get(store.accounts.get('user@example.test')!.id, 'INBOX')!;
  process.stdout.write(`R ${store.messages.list(inbox.id).length}\n`);
}
if (!store.domains.isLocal('example.test')) await store.domains.add('example.test');
const account =
  store.accounts.get('user@example.test') ??
  (await store.accounts.create({ address: 'user@example.test', passwordHash: await hashNewPassword('full disk 1') }));
let refusals = 0;
for (let n = 0; refusals < (mode === 'reopen' ? 1 : 5) && n < 100_000; n++) {
  const tag = `${mode === 'reopen' ? 'r' : 'm'}${n}`;
  // Random bytes do not compress: the file grows by each message's size.
  const text = Buffer.from(crypto.getRandomValues(new Uint8Array(6000)))
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const raw = Buffer.from(`Subject: ${tag}\r\n\r\n${text}\r\n`);
  try {
    const [out] = await store.messages.deliver({ raw, targets: [{ accountId: account.id }] });
    if (!out.ok) throw new Error(out.message);
    process.stdout.write(`D ${tag}\n`);
  } catch (e) {
    if (!isStoreError(e)) throw e;
    refusals++;
    process.stdout.write(`E ${tag} ${e.code}\n`);
  }
}
await store.close();
process.stdout.write('done\n');
