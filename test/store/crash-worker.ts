// Child of crash.test.ts: delivers messages into the store in DIR at concurrency 8 until killed,
// and marks some delivered messages \Seen. Prints one line per acknowledged write:
//   "D <tag> <uid>"  the message tagged <tag> was delivered with this UID (the store resolved)
//   "F <uid>"        the message with this UID is now \Seen
// usage: node test/store/crash-worker.ts DIR ROUND
import { Store } from '../../src/store/index.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

const [dir, round] = process.argv.slice(2);
const store = await Store.open(dir);
if (!store.domains.isLocal('example.test')) await store.domains.add('example.test');
const account =
  store.accounts.get('user@example.test') ??
  (await store.accounts.create({ address: 'user@example.test', passwordHash: await hashNewPassword('crash test 1') }));
const inbox = store.mailboxes.get(account.id, 'INBOX')!;
let n = 0;

async function loop(): Promise<never> {
  for (;;) {
    const tag = `r${round}-${n++}`;
    const raw = Buffer.from(`Subject: ${tag}\r\nMessage-ID: <${tag}@crash.test>\r\n\r\n${'body line\r\n'.repeat(40)}${tag}\r\n`);
    const [out] = await store.messages.deliver({ raw, targets: [{ accountId: account.id }] });
    if (!out.ok) throw new Error(out.message);
    process.stdout.write(`D ${tag} ${out.uid}\n`);
    if (out.uid % 3 === 0) {
      await store.messages.setFlags({ mailboxId: inbox.id, uids: [out.uid], op: 'add', flags: ['\\Seen'] });
      process.stdout.write(`F ${out.uid}\n`);
    }
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 8 }, loop));
