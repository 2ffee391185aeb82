// Run by src/store/messages.test.ts in a process of its own, with serve's malloc settings: stores
// a 16 MB message, reads its body once and frees it, and prints how much anonymous memory stayed
// ({"grewKb": n}).
import { readFileSync } from 'node:fs';
import { free } from '../../src/store/free.ts';
import { storeWithAccount } from './temp-store.ts';

const rssAnonKb = () => Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);

const t = await storeWithAccount();
try {
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  const line = 'The quick brown fox jumps over the lazy dog, again and again.\r\n';
  const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(Math.ceil(16e6 / line.length))}`);
  const { uid } = await t.store.messages.append({ mailboxId: inbox, raw: big });
  const hash = t.store.messages.get(inbox, uid)!.hash;
  const before = rssAnonKb();
  const body = t.store.messages.body(hash)!;
  if (!body.equals(big)) throw new Error('the body read back differs');
  free(body);
  process.stdout.write(JSON.stringify({ grewKb: rssAnonKb() - before }));
} finally {
  await t.close();
}
