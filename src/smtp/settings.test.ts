import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTempStore } from '../../test/support/temp-store.ts';
import { RELAY_RULES } from '../smtpserver/policy/index.ts';
import { validate } from '../settings/define.ts';
import { DEFAULT_RELAY_RULES, readSmtpSettings, RELAY_RULE_NAMES, SMTP_SETTING_KEYS, SMTP_SETTINGS } from './settings.ts';

test('defaults, development trust, and bad values falling back', () => {
  const none = { get: <T>(_k: string, f: T) => f };
  const d = readSmtpSettings(none, false);
  assert.equal(d.maxMessageSize, 25 * 1024 * 1024);
  assert.equal(d.maxRecipients, 100);
  assert.deepEqual(d.trustedNetworks, []);
  assert.deepEqual(d.relayRules, DEFAULT_RELAY_RULES);
  assert.equal(d.quotaReply, 'temporary');
  assert.equal(d.rejectDmarc, false);
  assert.deepEqual(
    readSmtpSettings(none, true).trustedNetworks.map((c) => c.text),
    ['127.0.0.0/8', '::1/128'],
  );
  const values: Record<string, unknown> = {
    [SMTP_SETTING_KEYS.maxRecipients]: -1,
    [SMTP_SETTING_KEYS.trustedNetworks]: ['127.0.0.1/32'],
    [SMTP_SETTING_KEYS.quotaReply]: 'permanent',
    [SMTP_SETTING_KEYS.relayRules]: 'not a list',
  };
  const s = readSmtpSettings({ get: <T>(k: string, f: T) => (k in values ? (values[k] as T) : f) }, true);
  assert.equal(s.maxRecipients, 100);
  assert.deepEqual(
    s.trustedNetworks.map((c) => c.text),
    ['127.0.0.1/32'],
    'the setting replaces the development default',
  );
  assert.equal(s.quotaReply, 'permanent');
  assert.deepEqual(s.relayRules, DEFAULT_RELAY_RULES);
  // A list with one unusable entry is unusable as a whole: its default applies.
  values[SMTP_SETTING_KEYS.trustedNetworks] = ['127.0.0.1/32', 'garbage'];
  assert.deepEqual(readSmtpSettings({ get: <T>(k: string, f: T) => (k in values ? (values[k] as T) : f) }, false).trustedNetworks, []);
});

test("derived once per change of the store's settings", async () => {
  const { store, close } = await openTempStore();
  try {
    const first = readSmtpSettings(store.settings, false);
    assert.equal(readSmtpSettings(store.settings, false), first, 'the same object while nothing changed');
    assert.notEqual(readSmtpSettings(store.settings, true), first, 'development mode derives its own');
    await store.settings.set(SMTP_SETTING_KEYS.maxRecipients, 7);
    const second = readSmtpSettings(store.settings, false);
    assert.equal(second.maxRecipients, 7);
    assert.equal(first.maxRecipients, 100);
    assert.ok(Object.isFrozen(second));
  } finally {
    await close();
  }
});

test('the relayRules setting names exactly the RCPT rules of the policy', () => {
  assert.deepEqual([...RELAY_RULE_NAMES].sort(), Object.keys(RELAY_RULES).sort());
});

test('SMTP-time checks: no blocklist unless chosen; zones are DNS names, typed as a list', () => {
  const d = readSmtpSettings({ get: <T>(_k: string, f: T) => f }, false);
  assert.deepEqual([d.dnsblZones, d.dnsAllowlistZones], [[], []]);
  assert.deepEqual([d.junkDmarcQuarantine, d.junkSpfFail, d.fcrdns, d.heloChecks], [true, false, true, true]);
  const zones = SMTP_SETTINGS.dnsblZones;
  assert.deepEqual(validate(zones, zones.fromText('Zen.Spamhaus.org, bl.example.')), ['zen.spamhaus.org', 'bl.example']);
  assert.deepEqual(validate(zones, zones.fromText('')), []);
  for (const bad of ['not a zone', '127.0.0.1]', 'single'])
    assert.throws(() => validate(zones, zones.fromText(bad)), /smtp\.dnsblZones must be a list of DNS zones/, bad);
  assert.match(zones.description, /public one \(8\.8\.8\.8, 1\.1\.1\.1\) they refuse/);
});
