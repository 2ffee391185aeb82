import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeOf } from './route.ts';
import { readOutboundSettings } from './settings.ts';

const settings = (values: Record<string, unknown>) =>
  readOutboundSettings({ get: (k, f) => (k in values ? (values[k] as never) : f) }, { hostname: 'mail.example.test' });
const isLocal = (d: string) => d === 'example.test';

test('local domains stay here; everything else goes to its MX without a smarthost', () => {
  const s = settings({});
  assert.equal(routeOf('a@example.test', s, isLocal).kind, 'local');
  assert.deepEqual(routeOf('a@Example.ORG', s, isLocal), { kind: 'mx', key: 'mx:example.org', domain: 'example.org' });
  assert.equal(routeOf('a@[192.0.2.1]', s, isLocal).kind, 'mx');
});

test('a smarthost takes everything but the local domains and the routes that say otherwise', () => {
  const s = settings({
    'outbound.smarthost': { host: 'smtp.isp.example', security: 'starttls', user: 'me', password: 'secret pass' },
    'outbound.routes': { 'direct.example': 'direct', 'other.example': { host: 'relay.other.example', port: 2525, security: 'none' } },
  });
  const viaSmarthost = routeOf('a@any.example', s, isLocal);
  assert.ok(viaSmarthost.kind === 'relay' && viaSmarthost.relay.host === 'smtp.isp.example' && viaSmarthost.relay.port === 587);
  assert.ok(!viaSmarthost.key.includes('secret'), 'the key shows no password');
  assert.equal(routeOf('a@direct.example', s, isLocal).kind, 'mx');
  assert.equal(routeOf('a@sub.direct.example', s, isLocal).kind, 'mx', 'a route covers subdomains');
  const other = routeOf('a@other.example', s, isLocal);
  assert.ok(other.kind === 'relay' && other.relay.port === 2525);
  assert.equal(routeOf('a@example.test', s, isLocal).kind, 'local');
  assert.equal(routeOf('a@x.example', s, isLocal).key, routeOf('b@y.example', s, isLocal).key, 'one destination for every domain it takes');
});

test('routes without a smarthost: "smarthost" falls back to MX', () => {
  const s = settings({ 'outbound.routes': { 'a.example': 'smarthost' } });
  assert.equal(routeOf('x@a.example', s, isLocal).kind, 'mx');
});
