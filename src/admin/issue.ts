// What the device's console shows about setup, above the login prompt: homepost.service passes
// --issue /run/homepost/setup.issue, and the image links /etc/issue.d/homepost.issue to it, which
// agetty prints with its escapes expanded when it draws the prompt (agetty(8), "ISSUE FILES" and
// "ISSUE ESCAPES": \n the host name, \4 and \6 the first configured interface's IPv4 and IPv6
// addresses, current whenever the prompt is drawn). While setup is pending it holds the setup code
// and the page's addresses, afterwards only the addresses (homepost-issue.path redraws the prompts).
import { renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../log/log.ts';
import { formatCode } from './setup-code.ts';

// The text for agetty: the code when setup is pending, null when it is done.
export function issueText(code: string | null, host: string, port: number): string {
  const p = port === 443 ? '' : `:${port}`;
  const wildcard = host === '::' || host === '0.0.0.0' || host === '';
  // A literal backslash is \\ to agetty; host names and addresses have none, but an option could.
  const literal = (s: string) => s.replace(/\\/g, '\\\\');
  const hosts = wildcard ? ['\\n.local', '\\4'] : [literal(host.includes(':') ? `[${host}]` : host)];
  const urls = hosts.map((h) => `https://${h}${p}/`).join(' or ');
  const lines = code
    ? [`homepost setup: in a browser on this network open ${urls}`, `and enter the setup code ${formatCode(code)}`]
    : [`homepost: the setup page is at ${urls}`];
  if (wildcard) lines.push('addresses: \\4 \\6');
  return `${lines.join('\n')}\n\n`;
}

// Replaced in one rename, so agetty never reads half a file; a failure is logged, not fatal.
export function writeIssue(file: string, text: string, log: Logger): void {
  const tmp = `${file}.new`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    log.warn('admin.issue_unwritable', { path: file, error: e });
  }
}
