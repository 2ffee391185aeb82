// Realistic ~4 KB messages for benchmarks: trace headers, a DKIM-style signature, and English-like
// text from a seeded generator, so that compression sees what real mail gives it (not zeros, not
// random bytes). Deterministic: the same seed gives the same messages.

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'man me even most made after also did many before must through back years where much your way well down should ' +
  'because each just those people mr how too little state good very make world still own see men work long get ' +
  'here between both life being under never day same another know while last might us great old year off come ' +
  'since against go came right used take three meeting invoice schedule project update please thanks regards ' +
  'attached report quarterly budget review deadline agenda minutes follow-up proposal contract delivery order'
).split(' ');

export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function sentence(rand: () => number): string {
  const n = 6 + Math.floor(rand() * 14);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}.`;
}

export function base64Line(rand: () => number, len: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return Array.from({ length: len }, () => alphabet[Math.floor(rand() * 64)]).join('');
}

// One message of about `size` bytes, CRLF line ends, to `to`.
export function realisticMessage(i: number, opts: { size?: number; to?: string; from?: string; seed?: number } = {}): Buffer {
  const rand = prng((opts.seed ?? 7) * 1_000_003 + i);
  const size = opts.size ?? 4096;
  const from = opts.from ?? `sender${i % 50}@example.org`;
  const to = opts.to ?? 'user@example.test';
  const date = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  const headers = [
    `Received: from mx${i % 7}.example.org (mx${i % 7}.example.org [192.0.2.${i % 250}])`,
    `\tby mail.example.test with ESMTPS id ${base64Line(rand, 12)}`,
    `\tfor <${to}>; ${date}`,
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;`,
    `\th=from:to:subject:date:message-id; bh=${base64Line(rand, 43)}=;`,
    `\tb=${base64Line(rand, 70)}`,
    `\t${base64Line(rand, 70)}`,
    `\t${base64Line(rand, 70)}`,
    `From: Sender ${i % 50} <${from}>`,
    `To: <${to}>`,
    `Subject: ${sentence(rand).slice(0, 60)}`,
    `Date: ${date}`,
    `Message-ID: <${i}.${base64Line(rand, 16).replace(/[+/]/g, 'x')}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
  ];
  let text = `${headers.join('\r\n')}\r\n\r\n`;
  while (text.length < size - 80) {
    let line = '';
    while (line.length < 60) line += (line ? ' ' : '') + sentence(rand);
    text += `${line}\r\n`;
    if (rand() < 0.15) text += '\r\n';
  }
  return Buffer.from(`${text.slice(0, size - 2)}\r\n`);
}
