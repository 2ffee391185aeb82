// Which Host header values the HTTP redirect keeps (RFC 9110 7.2): this device's names only.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { redirectHost } from './redirect.ts';

test('redirect host: the configured name or an address of this machine is kept, anything else is replaced', () => {
  const name = 'mail.example.test';
  const loopback6 = Object.values(os.networkInterfaces()).some((l) => l?.some((a) => a.address === '::1')) ? '[::1]' : name;
  const cases: [string | undefined, string][] = [
    ['mail.example.test:8080', name],
    ['MAIL.Example.TEST', name],
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]:8080', loopback6],
    ['[0:0:0:0:0:0:0:1]', loopback6], // one spelling per address
    ['evil.example', name],
    ['evil.example:80', name],
    ['192.0.2.254', name], // an address, but not this machine's
    ['127.0.0.2', name], // loopback, but no interface has it
    ['mail.example.test.evil.example', name],
    ['mail.example.test@evil.example', name], // not a Host header at all
    ['', name],
    [undefined, name],
  ];
  for (const [header, expected] of cases) assert.equal(redirectHost(header, name), expected, String(header));
  const lan = Object.values(os.networkInterfaces())
    .flatMap((l) => l ?? [])
    .find((a) => !a.internal && a.family === 'IPv4');
  if (lan) assert.equal(redirectHost(`${lan.address}:80`, name), lan.address, 'a LAN address of this machine');
});
