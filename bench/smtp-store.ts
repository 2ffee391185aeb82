// Run by bench/smtp.ts as a separate process, so the benchmark never keeps the LMDB file of a
// loop-mounted filesystem open (the mount must go away afterwards).
//   node bench/smtp-store.ts setup DIR   the domain, the account and the settings of the run
//   node bench/smtp-store.ts count DIR   prints the number of messages in the account's INBOX and Junk
//   node bench/smtp-store.ts relay DIR PORT   outbound mail through 127.0.0.1:PORT (smtp-sink)
//   node bench/smtp-store.ts filter DIR PORT  mail from the internet, DNS from 127.0.0.1:PORT
import { JunkClassifier, scanMessage, serializeClassifier } from '../src/junk/index.ts';
import { ensureDkimKeys } from '../src/smtp/dkim/keys.ts';
import { Store } from '../src/store/index.ts';
import { hashNewPassword } from '../src/auth/password.ts';
import { junkCorpus } from './lib/junk-corpus.ts';

// Messages of bench-junk's corpus the account's filter has learnt before the run.
const TRAINED = 2000;

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
  } else if (command === 'filter') {
    // Loopback is the internet here: every message goes through the SMTP-time checks (SPF, DKIM,
    // DMARC, FCrDNS, HELO) and the account's junk filter, trained enough to judge by content.
    await store.settings.set('smtp.trustedNetworks', []);
    // smtp-source's 16 connections come from one address, more than one client gets by default.
    await store.settings.set('smtp.maxConnectionsPerAddress', 32);
    await store.settings.set('dns.servers', [`127.0.0.1:${process.argv[4]}`]);
    const classifier = new JunkClassifier();
    for (const sample of junkCorpus(TRAINED, 1)) classifier.train(scanMessage(sample.raw).tokens, sample.trainedAsSpam);
    await store.junk.save(store.accounts.get('user@example.test')!.id, serializeClassifier(classifier), []);
  } else if (command === 'count') {
    const account = store.accounts.get('user@example.test')!;
    console.log(store.mailboxes.get(account.id, 'INBOX')!.count, store.mailboxes.get(account.id, 'Junk')?.count ?? 0);
  } else {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await store.close();
}
