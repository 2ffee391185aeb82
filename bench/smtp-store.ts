// Run by bench/smtp.ts as a separate process, so the benchmark never keeps the LMDB file of a
// loop-mounted filesystem open (the mount must go away afterwards).
//   node bench/smtp-store.ts setup DIR   the domain, the account and the settings of the run
//   node bench/smtp-store.ts count DIR   prints the number of messages in the account's INBOX
//   node bench/smtp-store.ts relay DIR PORT   outbound mail through 127.0.0.1:PORT (smtp-sink)
import { ensureDkimKeys } from '../src/smtp/dkim/keys.ts';
import { Store } from '../src/store/index.ts';
import { hashNewPassword } from '../src/auth/password.ts';

const [command, dir] = process.argv.slice(2);
const store = await Store.open(dir);
try {
  if (command === 'setup') {
    await store.domains.add('example.test');
    await store.accounts.create({ address: 'user@example.test', passwordHash: await hashNewPassword('bench password 1') });
    // Loopback is the trusted relay here: no SPF/DKIM/DMARC (no DNS in a benchmark).
    await store.settings.set('smtp.trustedNetworks', ['127.0.0.1/32']);
  } else if (command === 'relay') {
    await store.settings.set('outbound.smarthost', { host: '127.0.0.1', port: Number(process.argv[4]), security: 'none' });
    await ensureDkimKeys(store, 'example.test'); // keys made before the clock runs
  } else if (command === 'count') {
    const account = store.accounts.get('user@example.test')!;
    console.log(store.mailboxes.get(account.id, 'INBOX')!.count);
  } else {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await store.close();
}
