// The source of an IMAP import, as a URL: imaps://user@host[:port] is TLS from the first byte (port
// 993 by default), imap://user@host[:port] plain IMAP that upgrades with STARTTLS (143). The
// password is never part of it: it is asked for.

export interface ImapSource {
  host: string;
  port: number;
  secure: boolean;
  user: string;
}

export class ImapUrlError extends Error {}

export function parseImapUrl(text: string): ImapSource {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ImapUrlError(`not a URL: ${text.slice(0, 100)} (imaps://user@host or imap://user@host)`);
  }
  if (url.protocol !== 'imaps:' && url.protocol !== 'imap:') throw new ImapUrlError('the URL must start with imaps:// or imap://');
  if (!url.username) throw new ImapUrlError('the URL must name the user: imaps://user@host');
  if (url.password) throw new ImapUrlError('the password is asked for, never part of the URL');
  if (url.pathname !== '' && url.pathname !== '/') throw new ImapUrlError('the URL names a server, not a folder');
  const secure = url.protocol === 'imaps:';
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, secure, user: decodeURIComponent(url.username) };
}
