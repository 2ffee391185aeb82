// The TRANSACTION state (RFC 1939 5 and 7): STAT, LIST, UIDL, RETR, TOP, DELE, RSET.
import { Pop3Error } from '../errors.ts';
import { stuffedPieces } from '../octets.ts';
import type { Maildrop } from '../maildrop.ts';
import type { LineWriter } from '../session.ts';
import { argsOf, messages, type Pop3Command } from './command.ts';

// RFC 1939 5 STAT: "+OK count octets", messages marked deleted left out.
export const stat: Pop3Command = {
  name: 'STAT',
  states: ['transaction'],
  async run(s, args) {
    argsOf(args, 0);
    const { count, octets } = s.maildrop.stat();
    await s.send(`+OK ${count} ${octets}`);
  },
};

// A listing's lines (sendLines), one per message not marked deleted.
interface Listing {
  drop: Maildrop;
  numbers: readonly number[];
}
const listLine: LineWriter<Listing> = (out, { drop, numbers }, k) => {
  const n = numbers[k]!;
  out.num(n).text(' ').num(drop.octets(n));
};
const uidlLine: LineWriter<Listing> = (out, { drop, numbers }, k) => {
  const n = numbers[k]!;
  drop.writeUidl(out.num(n).text(' '), n);
};

// RFC 1939 5 LIST [msg].
export const list: Pop3Command = {
  name: 'LIST',
  states: ['transaction'],
  async run(s, args) {
    const [arg] = argsOf(args, 0, 1);
    const drop = s.maildrop;
    if (arg !== undefined) {
      const n = drop.number(arg);
      await s.send(`+OK ${n} ${drop.octets(n)}`);
      return;
    }
    const numbers = drop.numbers;
    await s.sendLines(`+OK ${messages(numbers.length)}`, numbers.length, listLine, { drop, numbers });
  },
};

// RFC 1939 7 UIDL [msg].
export const uidl: Pop3Command = {
  name: 'UIDL',
  states: ['transaction'],
  async run(s, args) {
    const [arg] = argsOf(args, 0, 1);
    const drop = s.maildrop;
    if (arg !== undefined) {
      const n = drop.number(arg);
      await s.send(`+OK ${n} ${drop.uidl(n)}`);
      return;
    }
    const numbers = drop.numbers;
    await s.sendLines('+OK unique-id listing follows', numbers.length, uidlLine, { drop, numbers });
  },
};

// RFC 1939 5 RETR msg: the whole message, byte-stuffed, with its exact octet count. The message
// counts as retrieved: QUIT flags it \Seen.
// todo RFC 6856 3: messages with UTF-8 header fields go to clients that did not issue UTF8 as
// they are stored, without the RFC 6858 downgrade.
export const retr: Pop3Command = {
  name: 'RETR',
  states: ['transaction'],
  async run(s, args) {
    const [arg] = argsOf(args, 1);
    const drop = s.maildrop;
    const n = drop.number(arg);
    const body = await drop.body(n);
    const octets = drop.octets(n);
    drop.markRetrieved(n);
    await s.sendMessage(`+OK ${octets} octets`, stuffedPieces(body, { crlf: octets === body.length }));
    drop.readAhead(n);
  },
};

// RFC 1939 7 TOP msg n: the header, the blank line and the first n lines of the body.
export const top: Pop3Command = {
  name: 'TOP',
  states: ['transaction'],
  async run(s, args) {
    const [arg, lines] = argsOf(args, 2);
    const drop = s.maildrop;
    const n = drop.number(arg);
    if (!/^[0-9]{1,10}$/.test(lines)) throw new Pop3Error(null, `not a line count: ${lines.slice(0, 20)}`);
    const body = await drop.body(n);
    await s.sendMessage('+OK top of message follows', stuffedPieces(body, { bodyLines: Number(lines) }));
    drop.readAhead(n);
  },
};

// RFC 1939 5 DELE msg: a mark, acted on at QUIT.
export const dele: Pop3Command = {
  name: 'DELE',
  states: ['transaction'],
  async run(s, args) {
    const [arg] = argsOf(args, 1);
    const n = s.maildrop.number(arg);
    s.maildrop.markDeleted(n);
    await s.send(`+OK message ${n} deleted`);
  },
};

// RFC 1939 5 RSET: every deletion mark removed.
export const rset: Pop3Command = {
  name: 'RSET',
  states: ['transaction'],
  async run(s, args) {
    argsOf(args, 0);
    s.maildrop.unmarkAll();
    await s.send(`+OK maildrop has ${messages(s.maildrop.numbers.length)}`);
  },
};
