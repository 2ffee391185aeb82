// Questions to the person at the terminal: passwords without echo, and yes/no confirmations.
// Without a terminal, a password is the first line of standard input (so scripts can pipe it
// in); it is never taken from the command line, where other users could read it in ps.
import readline from 'node:readline';
import type { ReadStream } from 'node:tty';

// Ctrl-C or Ctrl-D at a prompt.
export class Interrupted extends Error {}
export class NoInput extends Error {}

const MAX_PASSWORD_BYTES = 4096;

export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readLine(process.stdin);
  const first = await hidden('New password: ');
  const second = await hidden('Repeat it: ');
  if (first !== second) throw new NoInput('the two passwords differ');
  return first;
}

// A secret asked once (not a new password: nothing to repeat).
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return readLine(process.stdin);
  return hidden(prompt);
}

export async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('SIGINT', () => reject(new Interrupted('interrupted')));
      rl.once('close', () => resolve(''));
      rl.question(`${question} [y/N] `, resolve);
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// The first line of a stream without its line ending.
async function readLine(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const nl = chunk.indexOf(10);
    chunks.push(nl === -1 ? chunk : chunk.subarray(0, nl));
    size += chunk.length;
    if (nl !== -1) break;
    if (size > MAX_PASSWORD_BYTES) throw new NoInput(`the password line is longer than ${MAX_PASSWORD_BYTES} bytes`);
  }
  const line = Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
  if (!line) throw new NoInput('no password on standard input (give it as the first line)');
  return line;
}

// A line typed without echo: the terminal in raw mode, backspace and Ctrl-U edit.
function hidden(prompt: string): Promise<string> {
  const input = process.stdin as ReadStream;
  // Echo off before the prompt shows: keys typed the moment it appears are not echoed either.
  input.setRawMode(true);
  process.stderr.write(prompt);
  input.resume();
  let text = '';
  return new Promise((resolve, reject) => {
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          finish();
          if (text) resolve(text);
          else reject(new NoInput('no password given'));
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && !text)) {
          finish();
          reject(new Interrupted('interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch === '\u0015') text = '';
        else if (ch >= ' ') text += ch;
      }
    };
    input.on('data', onData);
  });
}
