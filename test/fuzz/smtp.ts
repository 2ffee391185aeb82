// The SMTP path fuzz target: "MAIL FROM:" and "RCPT TO:" lines (the path and its ESMTP and DSN
// parameters) as src/smtpserver/connection.ts hands them to parsePathCommand, their mutations, and
// hostile families. Relay decisions rest on this parse, so besides answering with a result or its
// own syntax error, a parsed mailbox must read back as itself from its canonical text.
import { AddressSyntaxError, parseMailbox } from '../../src/smtp/address.ts';
import { parsePathCommand } from '../../src/smtpserver/command-line.ts';
import { ParamSyntaxError } from '../../src/smtp/esmtp-params.ts';
import { fill, mutate, type FuzzTarget } from '../support/fuzz.ts';
import type { Family } from '../support/linearity.ts';

const SEEDS = [
  'MAIL FROM:<alice@example.com>',
  'MAIL FROM:<>',
  'MAIL FROM: <alice@example.com> SIZE=1000 BODY=8BITMIME',
  'MAIL FROM:<"a b\\"c"@example.com> RET=HDRS ENVID=abc+2B1',
  'MAIL FROM:<@relay.example,@b.example:alice@example.com>',
  'MAIL FROM:<alice@[192.0.2.1]>',
  'MAIL FROM:<alice@[IPv6:2001:db8::1]> AUTH=<>',
  'MAIL FROM:<jürgen@bücher.example> SMTPUTF8 BODY=8BITMIME',
  'MAIL FROM:<a.b-c+d@sub-domain.example.org> MT-PRIORITY=3 REQUIRETLS',
  'RCPT TO:<Postmaster>',
  'RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test',
  'RCPT TO:<bob@example.test> NOTIFY=NEVER ORCPT=rfc822;b+2Bob@example.test',
  'RCPT TO:<δοκιμή@παράδειγμα.δοκιμή> ORCPT=utf-8;\\x{3B4}@x',
  'RCPT TO:<"very.(),:;<>[]\\".VERY.\\"very@\\\\ \\"very\\".unusual"@strange.example.com>',
].map((s) => Buffer.from(s));

const TOKENS = [
  '<',
  '>',
  '@',
  '"',
  '\\',
  '.',
  ',',
  ':',
  ';',
  ' ',
  '=',
  '+',
  '-',
  '[',
  ']',
  '%',
  '!',
  '\0',
  '\x7f',
  '\xc3\xa9',
  '\xff',
  'IPv6:',
  '::',
  'SMTPUTF8',
  'NOTIFY=',
  'ORCPT=utf-8;',
  'ORCPT=rfc822;',
  '\\x{',
  '}',
  'ENVID=',
  'RET=',
  '+2B',
  'xn--',
  'MAIL FROM:',
  'RCPT TO:',
];

const TYPED = (e: unknown): boolean => e instanceof AddressSyntaxError || e instanceof ParamSyntaxError;

// Parses the line as both commands, as connection.ts would with SMTPUTF8 from the parameters.
export function parseLine(line: string): void {
  for (const verb of ['MAIL FROM', 'RCPT TO'] as const) {
    try {
      const { path } = parsePathCommand(line, verb, (p) => p.SMTPUTF8 === true);
      if (path.kind !== 'mailbox') continue;
      const again = parseMailbox(path.mailbox.address, true);
      if (again.address !== path.mailbox.address || again.local !== path.mailbox.local) {
        throw new Error(`${path.mailbox.address} reads back as ${again.address}`);
      }
    } catch (e) {
      if (!TYPED(e)) throw e;
    }
  }
}

// smtp-server's maxCommandLength: no longer line reaches the parser.
const MAX_LINE = 16 * 1024;

function line(name: string, make: (n: number) => string): Family<string> {
  return { name, build: make, run: parseLine, maxBytes: MAX_LINE };
}

export const SMTP_FAMILIES: Family[] = [
  line('long local part', (n) => `MAIL FROM:<${fill(n, 'a')}@example.com>`),
  line('quoted local part of quoted pairs', (n) => `MAIL FROM:<"${fill(n, '\\a')}"@example.com>`),
  line('unterminated quoted local part', (n) => `MAIL FROM:<"${fill(n, 'a')}`),
  line('path without ">"', (n) => `MAIL FROM:<${fill(n, 'a')}`),
  line('quotes toggling in the path', (n) => `MAIL FROM:<${fill(n, '"a"')}`),
  line('angle brackets', (n) => `MAIL FROM:<${fill(n, '<')}>`),
  line('source route of many hops', (n) => `RCPT TO:<${fill(n, '@a.example,')}@b.example:c@d.example>`),
  line('many domain labels', (n) => `MAIL FROM:<a@${fill(n, 'a.')}example>`),
  line('many parameters', (n) => `MAIL FROM:<a@b.example>${Array.from({ length: Math.max(1, Math.floor(n / 8)) }, (_, i) => ` K${i}=v`).join('')}`),
  line('one parameter repeated', (n) => `MAIL FROM:<a@b.example> ${fill(n, 'SIZE=1 ')}`),
  line('spaces after the path', (n) => `MAIL FROM:<a@b.example>${fill(n, ' ')}x`),
  line('long xtext value', (n) => `MAIL FROM:<a@b.example> ENVID=${fill(n, '+41')}`),
  line('long ORCPT unitext', (n) => `RCPT TO:<a@b.example> SMTPUTF8 ORCPT=utf-8;${fill(n, '\\x{41}')}`),
  line('long NOTIFY list', (n) => `RCPT TO:<a@b.example> NOTIFY=${fill(n, 'SUCCESS,')}DELAY`),
  line('long parameter keyword', (n) => `MAIL FROM:<a@b.example> ${fill(n, 'K')}=1`),
];

export const smtpTarget: FuzzTarget = {
  name: 'smtp-path',
  seeds: SEEDS,
  mutate: (input, rnd) => mutate(input, rnd, { seeds: SEEDS, tokens: TOKENS, maxChunk: 16 }),
  check: (input) => parseLine(input.toString('utf8')),
  families: SMTP_FAMILIES,
};
