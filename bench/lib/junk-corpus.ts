// The corpus of `make bench-junk` (bench/junk.ts): a seeded, deterministic stream of ham and spam
// for one account (sam@home.example), in delivery order, so a split by position is a split in
// time. Both sides are built to overlap, as real mail does:
// - ham: mail from people (a third replies with quoted text), newsletters that sell hard (sale,
//   free shipping, "% off"), receipts and notices about accounts, payments and passwords,
//   mailing-list threads, work mail with PDF or office attachments, first contact from
//   strangers about money, friends forwarding spam's words; the people Sam writes with grow in number over time, and new shops
//   and services appear;
// - spam: phishing that borrows the notices' words and brands, pharma with obfuscated words,
//   419 advance-fee letters, crypto "investments", and a large share in ordinary words (fake
//   invoices with an attachment, "I visited your website", job and dating offers);
// - spam comes in campaigns of about 150 messages, three at a time, each with its own sender domains, link host,
//   invented brand words and layout, so the held-out end holds campaigns never trained on;
// - training labels are not perfect (MISLABELLED): some spam is kept, some ham junked;
// - every message mixes in English-like filler (corpus.ts) with a Zipf long tail of invented
//   words (TAIL_WORDS), shared by both sides, so the counts grow as a real account's do; the
//   layouts vary: text/plain, multipart/alternative, HTML only, quoted-printable or base64,
//   ISO-8859-1 or UTF-8, attachments.
import { base64Line, prng, sentence } from './corpus.ts';
import { FIRST, LAST } from './scale-corpus.ts';

export const CORPUS_VERSION = 1;
export const ACCOUNT = 'sam@home.example';

export interface JunkSample {
  raw: Buffer; // CRLF line ends
  spam: boolean;
  // What training would call it: users leave some spam in the inbox (where it trains as ham
  // once read and kept) and junk some newsletters they no longer want (MISLABELLED).
  trainedAsSpam: boolean;
  kind: string;
}

// Shares mislabelled by the user: of spam kept as ham, of ham thrown into Junk.
const MISLABELLED = { spam: 0.03, ham: 0.005 };

type Rand = () => number;

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const chance = (rand: Rand, p: number): boolean => rand() < p;
const between = (rand: Rand, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

// Fills {slot} from the vocabulary, {name} with a first name, {amount} with a sum of money.
function fill(rand: Rand, template: string, vocabulary: readonly string[]): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    if (slot === 'name') return pick(rand, FIRST);
    if (slot === 'amount') return `$${between(rand, 5, 900)}.${between(rand, 10, 99)}`;
    if (slot === 'big') return `${between(rand, 2, 45)},${between(rand, 100, 999)},000`;
    if (slot === 'pct') return `${between(rand, 10, 80)}%`;
    return pick(rand, vocabulary);
  });
}

// The long tail of a real vocabulary (names, places, jargon, typos): invented words whose rank
// is drawn log-uniformly over TAIL_WORDS, so that P(rank) is about 1/rank (Zipf): a few are
// common, most are seen once or twice. Frequent ranks are short words, rare ones longer.
const TAIL_WORDS = 5_000_000;
const TAIL_SHARE = 0.3;

function tailWord(rand: Rand): string {
  const rank = Math.floor(Math.exp(rand() * Math.log(TAIL_WORDS)));
  let bits = Math.imul(rank + 1, 2654435761) >>> 0;
  let word = '';
  for (let k = 0; k < 2 + Math.min(4, Math.floor(Math.log10(rank + 1))); k++) {
    word += SYLLABLES[bits & 15];
    bits >>>= 4;
  }
  return word;
}

// An English-like sentence (corpus.ts) with a share of its words from the long tail.
function fillerSentence(rand: Rand): string {
  return sentence(rand)
    .split(' ')
    .map((word, i) => (i > 0 && chance(rand, TAIL_SHARE) ? tailWord(rand) : word))
    .join(' ');
}

function paragraph(rand: Rand, templates: readonly string[], vocabulary: readonly string[], sentences: number, filler: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(chance(rand, filler) ? fillerSentence(rand) : fill(rand, pick(rand, templates), vocabulary));
  return out.join(' ');
}

// Words both sides use about money, offers and accounts.
const MONEY = ['payment', 'account', 'offer', 'free', 'price', 'discount', 'order', 'refund', 'card', 'bank', 'deal', 'cash', 'credit', 'save', 'bonus'];

const PERSONAL_TOPICS = [
  'dinner',
  'weekend',
  'kids',
  'holiday',
  'garden',
  'birthday',
  'concert',
  'tickets',
  'flight',
  'house',
  'car',
  'doctor',
  'school',
  'party',
];
const PERSONAL = [
  'Are you free on {slot} for {slot}?',
  'I paid {amount} for the {slot}, you can send me your half later.',
  'The {slot} was great, thanks again for organising it.',
  '{name} said the {slot} might move to next week.',
  'Can you check the {slot} before we book it?',
  'There is a {slot} on the {slot}, maybe worth it.',
  'I found a good {slot} for the {slot}, only {amount}.',
  'Let me know what you think about the {slot}.',
];
const WORK_TOPICS = [
  'project',
  'budget',
  'deadline',
  'report',
  'review',
  'meeting',
  'agenda',
  'contract',
  'proposal',
  'invoice',
  'client',
  'release',
  'schedule',
  'draft',
];
const WORK = [
  'Please find attached the {slot} for {name}.',
  'Can we move the {slot} to Thursday afternoon?',
  'The {slot} needs another {slot} before Friday.',
  'I updated the {slot} with the numbers from {name}.',
  'The client accepted the {slot} at {amount} per month.',
  'Could you send me the latest {slot} and the {slot}?',
  'We are still waiting for the signed {slot}.',
  'Thanks for the quick {slot}, looks good to me.',
];
const NEWS_WORDS = [
  'sale',
  'collection',
  'shipping',
  'season',
  'members',
  'exclusive',
  'limited',
  'arrivals',
  'voucher',
  'code',
  'weekend',
  'store',
  'online',
  ...MONEY,
];
const NEWS = [
  'Our {slot} {slot} starts today: up to {pct} off.',
  'Free shipping on every {slot} over {amount}.',
  'Use code SAVE{pct} at checkout for an extra {slot}.',
  'Limited time: the {slot} ends Sunday at midnight.',
  'New {slot} just landed in the {slot}.',
  'Members get early access to the {slot} {slot}.',
  'Click here to see all {slot} deals.',
  "Don't miss our best {slot} of the year.",
];
const NOTICE_WORDS = ['account', 'payment', 'statement', 'order', 'password', 'security', 'delivery', 'receipt', 'subscription', 'invoice', 'card', 'login'];
const NOTICE = [
  'Your {slot} {slot} is now available.',
  'We received your payment of {amount}. Thank you.',
  'Your order #{slot} has shipped and will arrive on Tuesday.',
  'If you did not request this {slot} change, please contact us.',
  'To verify your email address, use the link below.',
  'Your monthly {slot} for {amount} is ready to view online.',
  'A new sign-in to your {slot} was detected from Firefox on Linux.',
  'Your {slot} renews on the 1st for {amount}.',
];
const STRANGER_WORDS = ['bike', 'sofa', 'flat', 'neighbour', 'parcel', 'advert', 'listing', 'photos', 'interview', 'position', 'event', 'website', 'repair'];
const STRANGER = [
  'I am selling my {slot}, would you be interested for {amount}?',
  'We met at the {slot} last week, {name} gave me your address.',
  'I saw your {slot} and can offer {amount}, cash on pick-up.',
  'A {slot} for you was left with me by mistake.',
  'We would like to invite you to an {slot} for the {slot}.',
  'Our small {slot} business offers a {slot} to people in the street.',
  'Could you send me a few {slot} of the {slot}?',
];
const LIST_WORDS = ['patch', 'kernel', 'build', 'compiler', 'release', 'branch', 'config', 'issue', 'test', 'module', 'memory', 'driver', 'bug', 'fix'];
const LIST = [
  'The {slot} fails on arm64 since the last {slot}.',
  'I think the {slot} is in the {slot}, not in the {slot}.',
  'Could you try with the {slot} from master?',
  'Applied the {slot}, thanks {name}.',
  'This {slot} breaks the {slot} on older systems.',
  'Has anyone seen this {slot} with the new {slot}?',
];

const PHISH_WORDS = ['account', 'password', 'security', 'verify', 'suspended', 'unusual', 'login', 'confirm', 'locked', 'payment', 'card', 'update', 'urgent'];
const PHISH = [
  'We detected unusual activity on your {slot}.',
  'Your {slot} has been {slot} until you {slot} your details.',
  'Please {slot} your {slot} within 24 hours to avoid closure.',
  'Click the link below to {slot} your {slot}.',
  'Failure to {slot} will result in permanent {slot}.',
  'Your recent payment of {amount} could not be processed.',
  'For your security we have temporarily limited your {slot}.',
];
const PHARMA_WORDS = [
  'v1agra',
  'c1alis',
  'pills',
  'pharmacy',
  'ph@rmacy',
  'generic',
  'prescription',
  'discreet',
  'cheap',
  'meds',
  'tablets',
  'shipping',
  'doctor',
];
const PHARMA = [
  'Best {slot} {slot} at {pct} off.',
  'No {slot} needed, {slot} delivery worldwide.',
  'Order {slot} now from our online {slot}.',
  '{slot} and {slot} from {amount} per pill.',
  'Trusted {slot} since 2009, {slot} packaging.',
];
const FEE_WORDS = [
  'beneficiary',
  'fund',
  'transfer',
  'barrister',
  'inheritance',
  'deposit',
  'confidential',
  'diplomat',
  'bank',
  'estate',
  'next',
  'kin',
  'consignment',
];
const FEE = [
  'I am {name}, a {slot} with the late Mr {name}.',
  'He left a {slot} of {big} US dollars with our {slot}.',
  'I need your assistance to {slot} this {slot} to your account.',
  'You will receive 40% of the total {slot} for your help.',
  'Please keep this matter strictly {slot}.',
  'Reply with your full name and phone number to proceed with the {slot}.',
  'May God bless you as you consider this {slot}.',
];
const CRYPTO_WORDS = [
  'bitcoin',
  'crypto',
  'investment',
  'returns',
  'profit',
  'trading',
  'platform',
  'wallet',
  'token',
  'portfolio',
  'daily',
  'guaranteed',
  'opportunity',
];
const CRYPTO = [
  'Our {slot} {slot} made {pct} last month.',
  'Start with only {amount} and watch your {slot} grow.',
  'The {slot} is fully automated, {slot} paid daily.',
  'Join thousands of people already earning with {slot}.',
  'This {slot} closes soon, secure your place now.',
];
// Spam in everyday words: fake invoices, outreach, job and dating offers.
const PLAIN_WORDS = [
  'invoice',
  'document',
  'website',
  'project',
  'meeting',
  'profile',
  'position',
  'team',
  'review',
  'report',
  'services',
  'details',
  'attached',
];
const PLAIN = [
  'Please see the attached {slot} and confirm by today.',
  'I visited your {slot} and noticed a few problems with it.',
  'We have a {slot} for you, working from home a few hours a day.',
  'Hi, I saw your {slot} and wanted to say hello.',
  'Our {slot} can help you get more customers this month.',
  'Kindly review the {slot} and get back to me.',
  'Let me know when you are free for a short {slot}.',
  'The {slot} is attached, thank you for your business.',
];

const SPAM_KINDS = ['phishing', 'pharma', 'advance-fee', 'crypto', 'plain'] as const;
const SPAM_TEXT: Record<(typeof SPAM_KINDS)[number], [string[], string[]]> = {
  phishing: [PHISH, PHISH_WORDS],
  pharma: [PHARMA, PHARMA_WORDS],
  'advance-fee': [FEE, FEE_WORDS],
  crypto: [CRYPTO, CRYPTO_WORDS],
  plain: [PLAIN, PLAIN_WORDS],
};
// The kinds' share of spam (plain last: everything left).
const SPAM_SHARE = [0.22, 0.14, 0.14, 0.14];

const FRIEND_DOMAINS = ['mailbox.example', 'post.example', 'family.example', 'work.example', 'client.example', 'uni.example.edu', 'fastmail.example'];
const SHOPS = ['shoes', 'books', 'outdoor', 'garden', 'kitchen', 'music', 'travel', 'fashion', 'tech', 'wine'];
const SERVICES = ['mybank', 'paybox', 'energy', 'telecom', 'cloudstore', 'parcel', 'insurance', 'streaming'];
const TLDS = ['top', 'xyz', 'ru', 'info', 'online', 'site', 'biz', 'club'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ver', 'tex', 'zan', 'qu', 'ro', 'fin', 'nex', 'pro', 'sol', 'tri', 'va', 'dor', 'lix'];

// An invented word (brand or host label) of 2 to 4 syllables.
function invented(rand: Rand): string {
  return Array.from({ length: between(rand, 2, 4) }, () => pick(rand, SYLLABLES)).join('');
}

function dateHeader(i: number): string {
  return new Date(Date.UTC(2026, 0, 1) + i * 1_500_000).toUTCString().replace('GMT', '+0000');
}

// RFC 2045 6.7 quoted-printable: 8-bit bytes and "=" escaped, lines soft-broken at 76.
function quotedPrintable(text: Buffer): string {
  const lines: string[] = [];
  for (const line of text.toString('latin1').split('\r\n')) {
    let out = '';
    let width = 0;
    for (const c of line) {
      const code = c.charCodeAt(0);
      const enc = code > 126 || c === '=' ? `=${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
      if (width + enc.length > 75) {
        out += '=\r\n';
        width = 0;
      }
      out += enc;
      width += enc.length;
    }
    lines.push(out);
  }
  return lines.join('\r\n');
}

function base64Body(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

interface Text {
  type: 'plain' | 'html';
  text: string;
}

// One text part: a charset and a transfer encoding picked as mail clients do.
function textPart(rand: Rand, part: Text): string {
  const latin1 = chance(rand, 0.15) && !/[^\x00-\xff]/.test(part.text);
  const bytes = Buffer.from(part.text, latin1 ? 'latin1' : 'utf8');
  const ascii = !/[^\x00-\x7f]/.test(part.text);
  const encoding =
    part.type === 'html' && chance(rand, 0.4) ? 'base64' : ascii && chance(rand, 0.6) ? '7bit' : chance(rand, 0.7) ? 'quoted-printable' : 'base64';
  const body = encoding === 'base64' ? base64Body(bytes) : encoding === 'quoted-printable' ? quotedPrintable(bytes) : bytes.toString('latin1');
  return `Content-Type: text/${part.type}; charset=${latin1 ? 'iso-8859-1' : 'utf-8'}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
}

interface Attachment {
  name: string;
  type: string;
  size: number;
}

// The body of a message: its text parts (alternatives of one text) and maybe an attachment.
function mimeBody(rand: Rand, texts: Text[], attachment: Attachment | null, id: string): string {
  let body: string;
  if (texts.length === 1) body = textPart(rand, texts[0]!);
  else {
    const b = `alt-${id}`;
    body = `Content-Type: multipart/alternative; boundary="${b}"\r\n\r\n${texts.map((t) => `--${b}\r\n${textPart(rand, t)}`).join('')}--${b}--\r\n`;
  }
  if (attachment === null) return body;
  const b = `mix-${id}`;
  const bytes = Buffer.from(base64Line(rand, attachment.size), 'latin1');
  return (
    `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n${body}--${b}\r\n` +
    `Content-Type: ${attachment.type}; name="${attachment.name}"\r\nContent-Disposition: attachment; filename="${attachment.name}"\r\n` +
    `Content-Transfer-Encoding: base64\r\n\r\n${base64Body(bytes)}\r\n--${b}--\r\n`
  );
}

function html(rand: Rand, paragraphs: string[], links: string[], style: 'plain' | 'marketing'): string {
  const body = paragraphs.map((p, i) => {
    const link = links.length > 0 && (i === 0 || chance(rand, 0.5)) ? ` <a href="${pick(rand, links)}">${style === 'marketing' ? 'Shop now' : 'here'}</a>` : '';
    return `<p style="font-family:Arial">${p}${link}</p>`;
  });
  const head = style === 'marketing' ? '<head><style>td{padding:8px} .btn{color:#fff}</style></head>' : '';
  const table = style === 'marketing' ? `<table width="600"><tr><td>${body.join('</td></tr><tr><td>')}</td></tr></table>` : body.join('\r\n');
  return `<html>${head}<body>\r\n${table}\r\n</body></html>`;
}

interface Draft {
  kind: string;
  from: string; // display form
  fromDomain: string;
  subject: string;
  texts: Text[];
  attachment: Attachment | null;
  extra: string[]; // further header lines
  to: string;
}

function assemble(i: number, rand: Rand, draft: Draft, spam: boolean): JunkSample {
  const id = `${i}.${base64Line(rand, 10).replace(/[+/]/g, 'x')}`;
  const relay = spam ? `${invented(rand)}.${pick(rand, TLDS)}` : `mx${i % 5}.${draft.fromDomain}`;
  const headers = [
    `Received: from ${relay} (${relay} [198.51.100.${between(rand, 1, 254)}])`,
    `\tby mx.home.example with ESMTPS id ${base64Line(rand, 12)}; ${dateHeader(i)}`,
    ...(spam && !chance(rand, 0.7)
      ? []
      : [`DKIM-Signature: v=1; a=rsa-sha256; d=${draft.fromDomain}; s=s1; bh=${base64Line(rand, 43)}=; b=${base64Line(rand, 60)}`]),
    `From: ${draft.from}`,
    `To: ${draft.to}`,
    `Subject: ${/[^\x00-\x7f]/.test(draft.subject) ? `=?utf-8?B?${Buffer.from(draft.subject).toString('base64')}?=` : draft.subject}`,
    `Date: ${dateHeader(i)}`,
    `Message-ID: <${id}@${spam && chance(rand, 0.5) ? `${invented(rand)}.local` : draft.fromDomain}>`,
    ...draft.extra,
    'MIME-Version: 1.0',
  ];
  const raw = `${headers.join('\r\n')}\r\n${mimeBody(rand, draft.texts, draft.attachment, id)}`;
  const mislabelled = chance(rand, spam ? MISLABELLED.spam : MISLABELLED.ham);
  return { raw: Buffer.from(raw, 'latin1'), spam, trainedAsSpam: spam !== mislabelled, kind: draft.kind };
}

// Plain text with the HTML alternative beside it, or one of the two.
function layout(rand: Rand, paragraphs: string[], links: string[], style: 'plain' | 'marketing', plainShare: number, htmlOnlyShare: number): Text[] {
  const plain = `${paragraphs.join('\r\n\r\n')}${links.length > 0 ? `\r\n\r\n${links[0]}` : ''}\r\n`;
  const r = rand();
  if (r < plainShare) return [{ type: 'plain', text: plain }];
  const markup = html(rand, paragraphs, links, style);
  return r < plainShare + htmlOnlyShare
    ? [{ type: 'html', text: markup }]
    : [
        { type: 'plain', text: plain },
        { type: 'html', text: markup },
      ];
}

class Ham {
  private readonly rand: Rand;
  private readonly subjects: { subject: string; id: string; from: string }[] = [];

  constructor(rand: Rand) {
    this.rand = rand;
  }

  // Person k of those Sam writes with: known ones early, more over time.
  private person(i: number): { name: string; address: string; domain: string } {
    const rand = this.rand;
    const k = Math.floor(rand() * (40 + i / 60));
    const first = FIRST[k % FIRST.length]!;
    const last = LAST[Math.floor(k / FIRST.length) % LAST.length]!;
    const domain = FRIEND_DOMAINS[k % FRIEND_DOMAINS.length]!;
    return { name: `${first} ${last}`, address: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`, domain };
  }

  message(i: number): Draft {
    const rand = this.rand;
    const r = rand();
    if (r < 0.35) return this.conversation(i, PERSONAL, PERSONAL_TOPICS, 'personal');
    if (r < 0.5) return this.conversation(i, WORK, WORK_TOPICS, 'work');
    if (r < 0.7) return this.newsletter(i);
    if (r < 0.8) return this.notice();
    if (r < 0.87) return this.stranger(i);
    if (r < 0.9) return this.forward(i);
    return this.list(i);
  }

  private conversation(i: number, templates: string[], topics: string[], kind: string): Draft {
    const rand = this.rand;
    const reply = this.subjects.length > 0 && chance(rand, 0.35) ? this.subjects[Math.max(0, this.subjects.length - between(rand, 1, 40))]! : null;
    const who = this.person(i);
    const vocabulary = chance(rand, 0.3) ? [...topics, ...MONEY] : topics;
    const paragraphs = Array.from({ length: between(rand, 1, 4) }, () => paragraph(rand, templates, vocabulary, between(rand, 2, 5), 0.4));
    let text = `Hi Sam,\r\n\r\n${paragraphs.join('\r\n\r\n')}\r\n\r\n${pick(rand, ['Best', 'Cheers', 'Thanks', 'See you'])},\r\n${who.name.split(' ')[0]}\r\n`;
    const subject = reply
      ? `Re: ${reply.subject.replace(/^Re: /, '')}`
      : fill(rand, pick(rand, ['About the {slot}', '{slot} on Friday', 'Quick question about the {slot}', 'The {slot}', '{slot} and {slot}']), vocabulary);
    const extra: string[] = [];
    if (reply) {
      extra.push(`In-Reply-To: <${reply.id}>`, `References: <${reply.id}>`);
      const quoted = paragraph(rand, templates, vocabulary, between(rand, 2, 6), 0.5).replace(/(.{1,70})(\s|$)/g, '> $1\r\n');
      text += `\r\nOn ${dateHeader(i - 30)}, ${reply.from} wrote:\r\n${quoted}`;
    }
    if (chance(rand, 0.4)) extra.push(`User-Agent: ${pick(rand, ['Thunderbird/128.3', 'Mutt/2.2', 'K-9 Mail/6.8'])}`);
    this.subjects.push({ subject, id: `${i}@${who.domain}`, from: who.name });
    if (this.subjects.length > 200) this.subjects.shift();
    const attachment =
      kind === 'work' && chance(rand, 0.35)
        ? pick(rand, [
            { name: `${pick(rand, topics)}-${i}.pdf`, type: 'application/pdf', size: between(rand, 2000, 12000) },
            {
              name: `${pick(rand, topics)}.docx`,
              type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
              size: between(rand, 3000, 9000),
            },
            { name: `photo-${i}.jpg`, type: 'image/jpeg', size: between(rand, 4000, 15000) },
          ])
        : null;
    const texts: Text[] = chance(rand, 0.7) ? [{ type: 'plain', text }] : layout(rand, text.split('\r\n\r\n'), [], 'plain', 0, 0);
    return { kind, from: `${who.name} <${who.address}>`, fromDomain: who.domain, subject, texts, attachment, extra, to: ACCOUNT };
  }

  // First contact from someone Sam has never written with, often about money: the ham most
  // like spam.
  private stranger(i: number): Draft {
    const rand = this.rand;
    const name = `${pick(rand, FIRST)} ${pick(rand, LAST)}`;
    const domain = chance(rand, 0.3) ? pick(rand, FRIEND_DOMAINS) : `${invented(rand)}.example`;
    const vocabulary = [...STRANGER_WORDS, ...MONEY];
    const text = `${pick(rand, ['Hello Sam,', 'Hello,', 'Hi,', 'Good afternoon,'])}\r\n\r\n${paragraph(rand, STRANGER, vocabulary, between(rand, 2, 6), 0.4)}\r\n\r\n${pick(rand, ['Kind regards', 'Thanks', 'Best'])},\r\n${name}\r\n`;
    return {
      kind: 'stranger',
      from: `${name} <${name.toLowerCase().replace(' ', '.')}${i % 7}@${domain}>`,
      fromDomain: domain,
      subject: fill(rand, pick(rand, ['Your {slot}', 'About your {slot}', 'Question about the {slot}', 'Hello from {name}']), vocabulary),
      texts: [{ type: 'plain', text }],
      attachment: null,
      extra: [],
      to: ACCOUNT,
    };
  }

  // A friend passing on an offer, an investment tip or a warning: spam's words in ham.
  private forward(i: number): Draft {
    const rand = this.rand;
    const who = this.person(i);
    const kind = pick(rand, SPAM_KINDS);
    const [templates, words] = SPAM_TEXT[kind];
    const host = `${invented(rand)}.${pick(rand, TLDS)}`;
    const text =
      `${pick(rand, ['FYI', 'Look at this', 'Is this for real?', 'Got this today, be careful'])}\r\n\r\n---------- Forwarded message ----------\r\n` +
      `${paragraph(rand, templates, [...words, ...MONEY], between(rand, 2, 5), 0.2)}\r\nhttp://${host}/${i}\r\n`;
    return {
      kind: 'forward',
      from: `${who.name} <${who.address}>`,
      fromDomain: who.domain,
      subject: `Fwd: ${fill(rand, pick(rand, ['Your {slot}', '{slot} offer', 'Important {slot}']), words)}`,
      texts: [{ type: 'plain', text }],
      attachment: null,
      extra: [],
      to: ACCOUNT,
    };
  }

  private newsletter(i: number): Draft {
    const rand = this.rand;
    // Most from the shops Sam subscribed to long ago, some from new ones.
    const shop = chance(rand, 0.8) ? pick(rand, SHOPS) : invented(rand);
    const domain = `${shop}shop.example`;
    const paragraphs = Array.from({ length: between(rand, 3, 7) }, () => paragraph(rand, NEWS, NEWS_WORDS, between(rand, 1, 3), 0.25));
    const links = Array.from({ length: between(rand, 2, 6) }, (_, k) => `https://${pick(rand, ['www', 'click', 'email'])}.${domain}/c/${i}-${k}`);
    paragraphs.push(`You receive this because you subscribed at ${domain}. Unsubscribe or change your preferences.`);
    const subject = fill(
      rand,
      pick(rand, [
        '{pct} off everything this weekend',
        'Free shipping ends tonight',
        'New {slot} for you, Sam',
        'Your exclusive {slot} inside',
        'Last chance: {slot} {slot}',
      ]),
      NEWS_WORDS,
    );
    return {
      kind: 'newsletter',
      from: `${shop[0]!.toUpperCase()}${shop.slice(1)} Shop <news@${domain}>`,
      fromDomain: domain,
      subject,
      texts: layout(rand, paragraphs, links, 'marketing', 0.05, 0.35),
      attachment: null,
      extra: [`List-Id: <news.${domain}>`, `List-Unsubscribe: <https://${domain}/unsubscribe/${i}>`, 'Precedence: bulk'],
      to: ACCOUNT,
    };
  }

  private notice(): Draft {
    const rand = this.rand;
    const service = chance(rand, 0.8) ? pick(rand, SERVICES) : invented(rand);
    const domain = `${service}.example`;
    const paragraphs = ['Hello Sam Carter,', paragraph(rand, NOTICE, NOTICE_WORDS, between(rand, 2, 4), 0.15), `The ${service} team`];
    const subject = fill(
      rand,
      pick(rand, ['Your {slot} is ready', 'Payment received', 'Your order has shipped', 'Security notice for your {slot}', 'Your {slot} receipt']),
      NOTICE_WORDS,
    );
    return {
      kind: 'notice',
      from: `${service} <no-reply@${domain}>`,
      fromDomain: domain,
      subject,
      texts: layout(rand, paragraphs, [`https://www.${domain}/account`], 'plain', 0.3, 0.2),
      attachment: chance(rand, 0.1) ? { name: 'statement.pdf', type: 'application/pdf', size: between(rand, 3000, 8000) } : null,
      extra: [],
      to: ACCOUNT,
    };
  }

  private list(i: number): Draft {
    const rand = this.rand;
    const who = this.person(i + 7919);
    const topic = pick(rand, LIST_WORDS);
    const text = `${paragraph(rand, LIST, LIST_WORDS, between(rand, 3, 8), 0.35)}\r\n\r\n${chance(rand, 0.6) ? `> ${paragraph(rand, LIST, LIST_WORDS, 2, 0.3)}\r\n\r\n` : ''}-- \r\n${who.name}\r\n`;
    return {
      kind: 'list',
      from: `${who.name} <${who.address}>`,
      fromDomain: who.domain,
      subject: `${chance(rand, 0.5) ? 'Re: ' : ''}[dev] ${topic} ${pick(rand, LIST_WORDS)} on ${pick(rand, ['arm64', 'x86', 'riscv'])}`,
      texts: [{ type: 'plain', text }],
      attachment: null,
      extra: [
        'List-Id: <dev.lists.example.org>',
        'List-Unsubscribe: <mailto:dev-leave@lists.example.org>',
        `In-Reply-To: <${Math.max(0, i - 3)}@lists.example.org>`,
      ],
      to: 'dev@lists.example.org',
    };
  }
}

interface Campaign {
  kind: (typeof SPAM_KINDS)[number];
  brand: string;
  domains: string[];
  host: string;
  vocabulary: string[];
  plainShare: number;
  htmlOnlyShare: number;
  attachment: boolean;
}

function campaign(rand: Rand): Campaign {
  let r = rand();
  let kind: Campaign['kind'] = 'plain';
  for (let k = 0; k < SPAM_SHARE.length; k++) {
    if (r < SPAM_SHARE[k]!) {
      kind = SPAM_KINDS[k]!;
      break;
    }
    r -= SPAM_SHARE[k]!;
  }
  const brand = invented(rand);
  const tld = pick(rand, TLDS);
  // Phishing borrows the real services' names; the others invent theirs.
  const target = kind === 'phishing' ? pick(rand, SERVICES) : brand;
  const domains = Array.from({ length: between(rand, 1, 5) }, () => `${invented(rand)}.${pick(rand, TLDS)}`);
  if (kind === 'phishing') domains.push(`${target}.example`);
  const [, words] = SPAM_TEXT[kind];
  // Each campaign leans on a few of its kind's words, some money words and its brand.
  const vocabulary = [...Array.from({ length: 6 }, () => pick(rand, words)), ...Array.from({ length: 3 }, () => pick(rand, MONEY)), brand, target];
  return {
    kind,
    brand: target,
    domains,
    host: `${kind === 'phishing' ? `${target}-${pick(rand, ['secure', 'verify', 'login'])}` : brand}.${invented(rand)}.${tld}`,
    vocabulary,
    plainShare: kind === 'advance-fee' || kind === 'plain' ? 0.7 : 0.2,
    htmlOnlyShare: kind === 'pharma' ? 0.7 : 0.4,
    attachment: kind === 'plain' && chance(rand, 0.4),
  };
}

function spamMessage(rand: Rand, c: Campaign): Draft {
  const [templates] = SPAM_TEXT[c.kind];
  const domain = pick(rand, c.domains);
  const paragraphs = Array.from({ length: between(rand, 1, c.kind === 'advance-fee' ? 6 : 3) }, () =>
    paragraph(rand, templates, c.vocabulary, between(rand, 2, 5), c.kind === 'plain' ? 0.5 : 0.3),
  );
  const greeting = c.kind === 'advance-fee' ? 'Dear Friend,' : c.kind === 'phishing' ? 'Dear Customer,' : pick(rand, ['Hello,', 'Hi,', 'Hi Sam,', 'Good day,']);
  const links =
    c.kind === 'advance-fee' ? [] : Array.from({ length: between(rand, 1, 4) }, () => `http://${c.host}/${base64Line(rand, 8).replace(/[+/]/g, 'a')}`);
  const subjects: Record<Campaign['kind'], string[]> = {
    phishing: ['Action required: verify your {slot}', 'Your {slot} has been suspended', 'Unusual sign-in activity', 'Payment failed - update your {slot}'],
    pharma: ['{slot} {pct} off today', 'Cheap {slot} online', 'Your {slot} order'],
    'advance-fee': ['URGENT ASSISTANCE NEEDED', 'Confidential {slot} proposal', 'Dear friend', 'From the desk of {name}'],
    crypto: ['Make {pct} a month with {slot}', 'The {slot} opportunity of 2026', 'Your {slot} profit is waiting'],
    plain: ['Invoice {slot}', 'Re: {slot}', 'Quick question', 'Your {slot}', 'Hello', 'Following up on the {slot}'],
  };
  const sender =
    c.kind === 'phishing' ? `${c.brand} Security` : c.kind === 'plain' || c.kind === 'advance-fee' ? `${pick(rand, FIRST)} ${pick(rand, LAST)}` : c.brand;
  const local = pick(rand, ['info', 'support', 'noreply', 'admin', `${pick(rand, FIRST).toLowerCase()}${between(rand, 1, 99)}`]);
  const extra: string[] = [];
  if (c.kind === 'advance-fee' || chance(rand, 0.15))
    extra.push(`Reply-To: ${local}${between(rand, 10, 999)}@${pick(rand, ['freemail.example', 'webpost.example'])}`);
  if (chance(rand, 0.3)) extra.push(`X-Mailer: ${pick(rand, ['PHPMailer 6.8', 'Microsoft Outlook 16.0', 'Foxmail 7.2'])}`);
  if (c.kind === 'plain' && chance(rand, 0.2)) extra.push(`In-Reply-To: <${base64Line(rand, 12).replace(/[+/]/g, 'q')}@${domain}>`);
  const attachment = c.attachment
    ? pick(rand, [
        { name: `invoice_${between(rand, 1000, 9999)}.zip`, type: 'application/zip', size: between(rand, 2000, 8000) },
        { name: `document-${between(rand, 10, 99)}.html`, type: 'text/html', size: between(rand, 1000, 3000) },
        { name: `invoice${between(rand, 100, 999)}.pdf`, type: 'application/pdf', size: between(rand, 2000, 8000) },
      ])
    : null;
  const many = chance(rand, 0.2);
  return {
    kind: c.kind,
    from: `${sender} <${local}@${domain}>`,
    fromDomain: domain,
    subject: fill(rand, pick(rand, subjects[c.kind]), c.vocabulary),
    texts: layout(rand, [greeting, ...paragraphs], links, c.kind === 'pharma' || c.kind === 'crypto' ? 'marketing' : 'plain', c.plainShare, c.htmlOnlyShare),
    attachment,
    extra,
    to: many
      ? Array.from({ length: between(rand, 3, 12) }, () => `${pick(rand, FIRST).toLowerCase()}@home.example`).join(', ')
      : chance(rand, 0.1)
        ? 'undisclosed-recipients:;'
        : ACCOUNT,
  };
}

// Spam campaigns running at once; each message is from one of them.
const CAMPAIGNS = 3;

// `count` messages, spamShare of them spam, in delivery order; the same for the same seed.
export function* junkCorpus(count: number, seed: number, spamShare = 0.45): Generator<JunkSample> {
  const rand = prng(seed);
  const ham = new Ham(rand);
  const running = Array.from({ length: CAMPAIGNS }, () => ({ campaign: campaign(rand), left: between(rand, 80, 220) }));
  for (let i = 0; i < count; i++) {
    if (!chance(rand, spamShare)) {
      yield assemble(i, rand, ham.message(i), false);
      continue;
    }
    const slot = running[Math.floor(rand() * CAMPAIGNS)]!;
    if (slot.left-- <= 0) {
      slot.campaign = campaign(rand);
      slot.left = between(rand, 80, 220);
    }
    yield assemble(i, rand, spamMessage(rand, slot.campaign), true);
  }
}
