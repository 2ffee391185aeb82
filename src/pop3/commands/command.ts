// What a POP3 command module declares: its name, the states it is valid in (RFC 1939 9 and the
// extension RFCs), and what it does. session.ts checks the state before calling run.
import { Pop3Error } from '../errors.ts';
import type { Pop3Session, Pop3State } from '../session.ts';

export interface Pop3Command {
  name: string;
  states: readonly Pop3State[];
  // `args` is the rest of the line after the keyword and one space.
  run(session: Pop3Session, args: string): Promise<void>;
}

// The space-separated arguments, between min and max of them. RFC 2449 4 separates them by one
// space; more are tolerated.
export function argsOf(args: string, min: number, max = min): string[] {
  const list = args.split(' ').filter((a) => a !== '');
  if (list.length < min || list.length > max) {
    const n = min === max ? `${min}` : `${min} to ${max}`;
    throw new Pop3Error(null, `expected ${n} argument${min === 1 && max === 1 ? '' : 's'}`);
  }
  return list;
}

// "1 message", "2 messages".
export function messages(n: number): string {
  return n === 1 ? '1 message' : `${n} messages`;
}
