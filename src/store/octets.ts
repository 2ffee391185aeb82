// The size POP3 reports for a message (RFC 1939 11): its octets in CRLF form (a bare LF counts as
// CRLF, a last line without a line end gets one), not counting byte-stuffing, so it equals the
// octets a client has once it removed the stuffing. Computed once when the store takes a message.

const CR = 0x0d;
const LF = 0x0a;

export function octetSize(raw: Buffer): number {
  let size = raw.length;
  for (let lf = raw.indexOf(LF); lf >= 0; lf = raw.indexOf(LF, lf + 1)) {
    if (lf === 0 || raw[lf - 1] !== CR) size++;
  }
  const last = raw.length - 1;
  if (last >= 0 && raw[last] !== LF) size += raw[last] === CR ? 1 : 2;
  return size;
}
