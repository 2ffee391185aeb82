// The smtp-server and nodemailer internals that connection.ts and queue/client.ts override or call,
// and their expected shape: those modules check the methods as they load, the test checks it all.
import nodemailerPackage from 'nodemailer/package.json' with { type: 'json' };
import { SMTPServer } from 'smtp-server';
import { SMTPConnection as ServerConnection } from 'smtp-server/lib/smtp-connection.js';
import ClientConnection from 'nodemailer/lib/smtp-connection';
import smtpServerPackage from 'smtp-server/package.json' with { type: 'json' };

// A method: its arity (Function.length), and the library methods whose source must call it the
// way the patch expects (`calls`: fragments that must appear in the caller, in this order).
export interface MethodExpectation {
  name: string;
  arity: number;
  calledFrom?: { caller: string; calls: string[] }[];
}

// An instance property and the test its value must pass on a freshly made instance.
export interface PropertyExpectation {
  name: string;
  shape: string;
  test: (value: unknown) => boolean;
}

export interface LibraryClass {
  pkg: 'smtp-server' | 'nodemailer';
  className: string;
  usedBy: string;
  prototype: object;
  methods: MethodExpectation[];
  properties: PropertyExpectation[];
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null;

export const LIBRARY_CLASSES: LibraryClass[] = [
  {
    pkg: 'smtp-server',
    className: 'SMTPServer',
    usedBy: 'src/smtpserver/connection.ts (HomepostSmtpServer.connect)',
    prototype: SMTPServer.prototype,
    methods: [
      // Replaced by a copy of itself that makes a HomepostConnection.
      {
        name: 'connect',
        arity: 2,
        calledFrom: [
          {
            caller: 'connect',
            calls: ['new SMTPConnection(this, socket, socketOptions)', 'this.connections.add(connection)', "on('error'", "on('connect'", 'connection.init()'],
          },
        ],
      },
      { name: '_onError', arity: 1 },
      { name: '_onClientConnect', arity: 1 },
    ],
    properties: [{ name: 'connections', shape: 'a Set', test: (v) => v instanceof Set }],
  },
  {
    pkg: 'smtp-server',
    className: 'SMTPConnection',
    usedBy: 'src/smtpserver/connection.ts (HomepostConnection)',
    prototype: ServerConnection.prototype,
    methods: [
      { name: 'init', arity: 0, calledFrom: [{ caller: 'init', calls: ['this._setListeners(', 'this.connectionReady()'] }] },
      { name: 'connectionReady', arity: 1 },
      { name: 'send', arity: 3 },
      { name: '_setListeners', arity: 1 },
      { name: '_useEnhancedStatusCodes', arity: 0 },
      { name: '_getEnhancedStatusCode', arity: 2, calledFrom: [{ caller: 'send', calls: ['this._getEnhancedStatusCode(code, context)'] }] },
      {
        name: '_parseAddressCommand',
        arity: 2,
        calledFrom: [
          { caller: 'handler_MAIL', calls: ["this._parseAddressCommand('mail from', command)"] },
          { caller: 'handler_RCPT', calls: ["this._parseAddressCommand('rcpt to', command)"] },
        ],
      },
    ],
    properties: [
      { name: '_server', shape: 'the SMTPServer', test: (v) => v instanceof SMTPServer },
      { name: 'session', shape: 'an object', test: isObject },
    ],
  },
  {
    pkg: 'nodemailer',
    className: 'SMTPConnection (nodemailer/lib/smtp-connection)',
    usedBy: 'src/queue/client.ts (OutboundConnection, Peer)',
    prototype: ClientConnection.prototype,
    methods: [
      { name: '_sendCommand', arity: 2, calledFrom: [{ caller: '_setEnvelope', calls: ["'MAIL FROM:<'", 'this._sendCommand(mailFrom)'] }] },
      // Read right after the recipient is queued, so the last queued one is the one being sent.
      {
        name: '_getDsnRcptToArgs',
        arity: 0,
        calledFrom: [{ caller: '_sendRcpt', calls: ['this._recipientQueue.push(recipient)', 'this._getDsnRcptToArgs()'] }],
      },
    ],
    properties: [
      { name: '_supportedExtensions', shape: 'an array', test: Array.isArray },
      { name: '_maxAllowedSize', shape: 'a number', test: (v) => typeof v === 'number' },
      { name: '_recipientQueue', shape: 'an array', test: Array.isArray },
      { name: '_envelope', shape: 'false or an object', test: (v) => v === false || isObject(v) },
    ],
  },
];

export const libraryVersion = (pkg: LibraryClass['pkg']): string => (pkg === 'nodemailer' ? nodemailerPackage : smtpServerPackage).version;

const describe = (c: LibraryClass, member: string) => `${c.pkg} ${libraryVersion(c.pkg)}: ${c.className}.${member}, which ${c.usedBy} relies on,`;

// What is wrong with the methods of c: missing, or of another arity (an empty list when none).
export function methodProblems(c: LibraryClass): string[] {
  const proto = c.prototype as Record<string, unknown>;
  return c.methods.flatMap((m) => {
    const fn = proto[m.name];
    if (typeof fn !== 'function') return [`${describe(c, m.name)} is no longer a method`];
    return fn.length === m.arity ? [] : [`${describe(c, m.name)} takes ${fn.length} arguments, not ${m.arity}`];
  });
}

// Which library methods no longer call the ones the patches override as expected. Reads the
// library's source, so only where that is the published code (tests): the executable's bundle is
// minified.
export function callerProblems(c: LibraryClass): string[] {
  const proto = c.prototype as Record<string, unknown>;
  const problems: string[] = [];
  for (const m of c.methods) {
    for (const { caller, calls } of m.calledFrom ?? []) {
      const callerFn = proto[caller];
      const source = typeof callerFn === 'function' ? Function.prototype.toString.call(callerFn) : '';
      let at = 0;
      for (const call of calls) {
        const found = source.indexOf(call, at);
        if (found < 0) {
          problems.push(`${describe(c, m.name)} is no longer used by ${caller} as expected (missing ${call})`);
          break;
        }
        at = found + call.length;
      }
    }
  }
  return problems;
}

// What is wrong with the properties of an instance of c.
export function propertyProblems(c: LibraryClass, instance: object): string[] {
  const values = instance as Record<string, unknown>;
  return c.properties.filter((p) => !p.test(values[p.name])).map((p) => `${describe(c, p.name)} is no longer ${p.shape}`);
}

// Throws, naming every member that moved, when a patched library no longer has the methods the
// patches override or call; run when connection.ts and queue/client.ts load.
export function assertLibraryInternals(pkg: LibraryClass['pkg']): void {
  const problems = LIBRARY_CLASSES.filter((c) => c.pkg === pkg).flatMap(methodProblems);
  if (problems.length) throw new Error(`homepost cannot run with this ${pkg}:\n${problems.join('\n')}`);
}
