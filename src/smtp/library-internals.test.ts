// The library members the SMTP patches rely on are still there with the expected shape, the check
// itself catches a member that moved, and the tree holds one nodemailer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import ClientConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection as ServerConnection } from 'smtp-server/lib/smtp-connection.js';
import { callerProblems, LIBRARY_CLASSES, type LibraryClass, methodProblems, propertyProblems } from './library-internals.ts';

const cls = (pkg: LibraryClass['pkg'], name: string) => LIBRARY_CLASSES.find((c) => c.pkg === pkg && c.className.startsWith(name))!;

test('every overridden or called method exists with its arity and is called as the patch expects', () => {
  for (const c of LIBRARY_CLASSES) assert.deepEqual([...methodProblems(c), ...callerProblems(c)], [], `${c.pkg}: ${c.className} (used by ${c.usedBy})`);
});

test('the instance properties the patches read have the expected shape', () => {
  const server = new SMTPServer({ logger: false });
  const socket = new net.Socket();
  const serverConnection = new ServerConnection(server, socket);
  const client = new ClientConnection({ logger: false });
  const instances: [LibraryClass, object][] = [
    [cls('smtp-server', 'SMTPServer'), server],
    [cls('smtp-server', 'SMTPConnection'), serverConnection],
    [cls('nodemailer', 'SMTPConnection'), client],
  ];
  for (const [c, instance] of instances) assert.deepEqual(propertyProblems(c, instance), [], `${c.pkg}: ${c.className} (used by ${c.usedBy})`);
  socket.destroy();
});

test('a member that moved is reported with the package version and the file that depends on it', () => {
  class Moved {
    send(code: number) {
      return code;
    }
    handler_MAIL() {
      return 'parsed elsewhere';
    }
  }
  const c: LibraryClass = {
    ...cls('smtp-server', 'SMTPConnection'),
    prototype: Moved.prototype,
    methods: [
      { name: 'send', arity: 3 },
      { name: '_gone', arity: 0 },
      { name: 'handler_MAIL', arity: 0, calledFrom: [{ caller: 'handler_MAIL', calls: ['this._parseAddressCommand('] }] },
    ],
    properties: [{ name: 'session', shape: 'an object', test: (v) => typeof v === 'object' && v !== null }],
  };
  const problems = [...methodProblems(c), ...callerProblems(c)];
  assert.equal(problems.length, 3);
  assert.match(problems[0], /^smtp-server \d+\.\d+\.\d+: SMTPConnection\.send, which src\/smtpserver\/connection\.ts .* takes 1 arguments, not 3$/);
  assert.match(problems[1], /_gone, .* is no longer a method$/);
  assert.match(problems[2], /handler_MAIL, .* no longer used by handler_MAIL as expected \(missing this\._parseAddressCommand\(\)$/);
  assert.deepEqual(propertyProblems(c, {}).length, 1);
});

test('the tree holds one nodemailer, forced by overrides to our own pinned version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
  assert.match(pkg.dependencies.nodemailer, /^\d+\.\d+\.\d+$/, 'nodemailer is pinned exactly');
  assert.equal(pkg.overrides?.nodemailer, '$nodemailer');
  const copies = Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/nodemailer$/.test(path));
  assert.deepEqual(copies, ['node_modules/nodemailer'], 'one nodemailer in package-lock.json');
  assert.equal(lock.packages['node_modules/nodemailer'].version, pkg.dependencies.nodemailer);
});
