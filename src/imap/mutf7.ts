// Modified UTF-7 mailbox names (RFC 3501 5.1.3; RFC 9051 keeps it for clients that have not
// enabled UTF8=ACCEPT). Printable US-ASCII except "&" stands for itself, "&" is "&-", and any
// other run of characters is "&" + base64 of its UTF-16BE code units ("," for "/", no padding) + "-".

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

const printable = (code: number) => code >= 0x20 && code <= 0x7e;

export function encodeMutf7(name: string): string {
  let out = '';
  let run: number[] = [];
  const flush = () => {
    if (!run.length) return;
    const bytes = Buffer.alloc(run.length * 2);
    run.forEach((u, i) => {
      bytes.writeUInt16BE(u, i * 2);
    });
    out += `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (printable(code)) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      run.push(code);
    }
  }
  flush();
  return out;
}

// The UTF-16 name, or null when the input is not well-formed modified UTF-7: a shift sequence
// that is empty (other than "&-"), encodes printable ASCII, has leftover bits, is unterminated,
// or follows another shift sequence directly (RFC 3501 5.1.3 requires the shortest form).
export function decodeMutf7(wire: string): string | null {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < wire.length) {
    const c = wire.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return null;
    if (c !== 0x26) {
      out += wire[i++];
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end < 0) return null;
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastShiftEnd === i) return null;
    let bits = 0;
    let acc = 0;
    const units: number[] = [];
    for (let j = i + 1; j < end; j++) {
      const v = B64_VALUE.get(wire[j]!);
      if (v === undefined) return null;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        units.push((acc >> bits) & 0xffff);
        acc &= (1 << bits) - 1;
      }
    }
    if (bits >= 6 || acc !== 0 || units.length === 0) return null;
    if (units.some((u) => printable(u))) return null;
    out += String.fromCharCode(...units);
    i = end + 1;
    lastShiftEnd = i;
  }
  // Unpaired surrogates are not text.
  if (!out.isWellFormed()) return null;
  return out;
}
