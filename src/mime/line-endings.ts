// RFC 5322 2.1 and RFC 5321 2.3.8: lines end in CRLF. A bare LF from a sloppy client (SMTP DATA,
// IMAP APPEND) becomes CRLF (Postfix's smtpd_forbid_bare_newline=normalize), so stored messages
// are what IMAP must serve. In SMTP the end of DATA is only ever CRLF.CRLF (smtp-server), so this
// cannot smuggle commands.
const LF = 0x0a;
const CR = 0x0d;

export function normalizeLineEndings(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) if (i === 0 || raw[i - 1] !== CR) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === LF && (i === 0 || raw[i - 1] !== CR)) out[o++] = CR;
    out[o++] = raw[i];
  }
  return out;
}
