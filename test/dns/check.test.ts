// `homepost dns records|check` against a real DNS server (dnsmasq on 127.0.0.1, test/dns/dnsmasq.ts)
// that homepost reaches through the dns.servers setting, as a person runs them without a daemon:
// nothing published, every record missing; the exact records `dns records` gives published,
// every record found; one changed, that one different with what DNS holds; the server gone,
// nothing checked.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { DomainCheck, DomainRecords } from '../../src/dns-records/records.ts';
import { runCli, runJson } from '../cli/run-cli.ts';
import { tempDir } from '../support/temp-store.ts';
import { dnsmasqLine, startDnsmasq, type Dnsmasq } from './dnsmasq.ts';

async function check(data: string[]): Promise<{ code: number; result: DomainCheck; text: string }> {
  const json = await runCli(['dns', 'check', 'example.test', '--json', ...data]);
  const text = await runCli(['dns', 'check', 'example.test', ...data]);
  assert.equal(json.code, text.code, text.stderr);
  return { code: json.code, result: JSON.parse(json.stdout) as DomainCheck, text: text.stdout };
}

describe('homepost dns against a real DNS server', () => {
  let dir: string;
  let data: string[];
  let dns: Dnsmasq;
  let records: DomainRecords;

  before(async () => {
    dir = tempDir('homepost-dns-');
    data = ['--data', dir];
    dns = await startDnsmasq(dir, []);
    for (const args of [
      ['domain', 'add', 'example.test'],
      ['config', 'set', 'server.hostname', 'mail.example.test'],
      ['config', 'set', 'dns.servers', `127.0.0.1:${dns.port}`],
      ['config', 'set', 'dns.publicAddresses', '192.0.2.10,2001:db8::10'],
    ]) {
      const r = await runCli([...args, ...data]);
      assert.equal(r.code, 0, r.stderr);
    }
    records = await runJson<DomainRecords>(['dns', 'records', 'example.test', ...data]);
  });
  after(async () => {
    await dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('dns records: every kind of record, the DKIM keys made, zone text to paste', async () => {
    assert.equal(records.host, 'mail.example.test');
    const kinds = records.records.map((r) => `${r.type} ${r.name}`);
    for (const k of [
      'MX example.test',
      'A mail.example.test',
      'AAAA mail.example.test',
      'TXT example.test',
      'TXT _dmarc.example.test',
      'CNAME autoconfig.example.test',
      'SRV _submissions._tcp.example.test',
      'PTR 10.2.0.192.in-addr.arpa',
    ]) {
      assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
    }
    const dkim = await runJson<{ records: { name: string; value: string }[] }>(['dkim', 'show', 'example.test', ...data]);
    assert.equal(dkim.records.length, 2);
    for (const k of dkim.records) {
      const r = records.records.find((x) => x.name === k.name);
      assert.equal(r?.value, k.value);
    }
    // The RSA key's text is longer than one character-string: split at 255 octets.
    const rsa = records.records.find((r) => r.value?.includes('k=rsa'))!;
    assert.ok(rsa.strings!.length > 1 && rsa.strings!.every((s) => s.length <= 255) && rsa.strings!.join('') === rsa.value);
    assert.match(records.zone, /^example\.test\. 3600 IN MX 10 mail\.example\.test\.$/m);
    assert.ok(records.zone.includes(`\n${rsa.name}. 3600 IN TXT ( "${rsa.strings![0]}" "${rsa.strings![1]}" )\n`));
    const text = await runCli(['dns', 'records', 'example.test', ...data]);
    assert.equal(text.code, 0);
    assert.ok(text.stdout.includes(records.zone), 'the zone text is printed whole');
    const unknown = await runCli(['dns', 'records', 'nowhere.example', ...data]);
    assert.equal(unknown.code, 4, 'not a local domain: not found');
    assert.match(text.stdout, /^SRV +_imaps\._tcp\.example\.test +0 0 993 mail\.example\.test +Mail apps/m);
  });

  test('nothing published: every record missing, exit 1', async () => {
    const { code, result, text } = await check(data);
    assert.equal(code, 1);
    assert.equal(result.records.length, records.records.length);
    assert.deepEqual(
      result.records.filter((r) => r.status !== 'missing'),
      [],
    );
    assert.match(text, /^missing +MX +example\.test +publish 10 mail\.example\.test$/m);
  });

  test('the records published as given: every one found, exit 0', async () => {
    await dns.restart(records.records.map(dnsmasqLine));
    const { code, result, text } = await check(data);
    assert.deepEqual(
      result.records.filter((r) => r.status !== 'found').map((r) => `${r.type} ${r.name} ${r.status} ${r.error ?? r.found}`),
      [],
    );
    assert.equal(code, 0);
    const mx = result.records.find((r) => r.type === 'MX')!;
    assert.deepEqual(mx.found, ['10 mail.example.test']);
    assert.match(text, /every record is published/);
  });

  test('a wrong MX: different, with what DNS holds; the rest still found', async () => {
    const lines = records.records.map((r) => (r.type === 'MX' ? 'mx-host=example.test,mx.example.net,10' : dnsmasqLine(r)));
    await dns.restart(lines);
    const { code, result, text } = await check(data);
    assert.equal(code, 1);
    const mx = result.records.find((r) => r.type === 'MX')!;
    assert.equal(mx.status, 'different');
    assert.deepEqual(mx.found, ['10 mx.example.net']);
    assert.equal(result.records.filter((r) => r.status !== 'found').length, 1);
    assert.match(text, /^different +MX +example\.test +found 10 mx\.example\.net; expected 10 mail\.example\.test$/m);
  });

  test('public address unknown: the addresses DNS holds are reported, and their reverse DNS checked', async () => {
    const reset = await runCli(['config', 'reset', 'dns.publicAddresses', ...data]);
    assert.equal(reset.code, 0, reset.stderr);
    const published = records.records.filter((r) => r.type !== 'A' && r.type !== 'AAAA' && r.type !== 'PTR').map(dnsmasqLine);
    await dns.restart([...published, 'address=/mail.example.test/198.51.100.9', 'ptr-record=9.100.51.198.in-addr.arpa,mail.example.test']);
    const { code, result } = await check(data);
    const rows = result.records.filter((r) => ['A', 'AAAA', 'PTR'].includes(r.type)).map((r) => [r.type, r.name, r.value, r.status, r.found.join(' ')]);
    assert.deepEqual(rows, [
      ['A', 'mail.example.test', null, 'found', '198.51.100.9'],
      ['AAAA', 'mail.example.test', null, 'missing', ''],
      ['PTR', '9.100.51.198.in-addr.arpa', 'mail.example.test', 'found', 'mail.example.test'],
    ]);
    // No IPv6 is no fault.
    assert.equal(code, 0);
  });

  test('no DNS server answering: nothing checked, each record says why', async () => {
    await dns.stop();
    const started = Date.now();
    const { code, result } = await check(data);
    assert.equal(code, 1);
    assert.deepEqual([...new Set(result.records.map((r) => r.status))], ['error']);
    assert.ok(result.records.every((r) => typeof r.error === 'string' && r.error.length > 0));
    // Both runs (--json and text) within a few timeouts (dns.timeoutMs 2s), not one per query.
    assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
  });
});
