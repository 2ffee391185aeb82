// The parameters after the path of MAIL FROM and RCPT TO.
//
// RFC 5321 4.1.2 (RFC 6531 3.3 adds UTF8-non-ascii to esmtp-value):
//   Mail-parameters  = esmtp-param *(SP esmtp-param)
//   Rcpt-parameters  = esmtp-param *(SP esmtp-param)
//   esmtp-param    = esmtp-keyword ["=" esmtp-value]
//   esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   esmtp-value    = 1*(%d33-60 / %d62-126)
// Keywords are case-insensitive (stored upper case); a keyword may appear once (RFC 3461 4,
// RFC 1870 6); a keyword without "=" has the value true.

export type EsmtpParams = Record<string, string | true>;

export class ParamSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamSyntaxError';
  }
}

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const VALUE = /^[\x21-\x3c\x3e-\x7e\u{80}-\u{10ffff}]+$/u;

export function parseParams(text: string): EsmtpParams {
  const params: EsmtpParams = {};
  if (text === '') return params;
  // One parameter at a time: a run of spaces fails at its first empty parameter, unsplit.
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf(' ', start);
    if (end === -1) end = text.length;
    const param = text.slice(start, end);
    start = end + 1;
    if (param === '') throw new ParamSyntaxError('parameters are separated by one space');
    const eq = param.indexOf('=');
    const keyword = eq < 0 ? param : param.slice(0, eq);
    if (!KEYWORD.test(keyword)) throw new ParamSyntaxError(`bad parameter keyword "${keyword}"`);
    const key = keyword.toUpperCase();
    if (key in params) throw new ParamSyntaxError(`duplicate ${key} parameter`);
    if (eq < 0) {
      params[key] = true;
      continue;
    }
    const value = param.slice(eq + 1);
    if (!VALUE.test(value)) throw new ParamSyntaxError(`bad value of ${key}`);
    params[key] = value;
  }
  return params;
}

// RFC 3461 4: xtext = *( xchar / hexchar ), hexchar = "+" 2(%x30-39 / %x41-46).
export function decodeXtext(value: string): string | null {
  if (!/^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/.test(value)) return null;
  return value.replace(/\+([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

// RFC 3461 4: every octet outside "!" to "~", and "+" and "=", as "+" and two hex digits.
export function encodeXtext(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte > 0x20 && byte < 0x7f && byte !== 0x2b && byte !== 0x3d ? String.fromCharCode(byte) : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// RFC 6533 3 utf-8-addr-xtext: ASCII only, other characters (and "+", "=", "\") as "\x{HEX}".
export function encodeUtf8AddrXtext(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    out += cp > 0x20 && cp < 0x7f && ch !== '+' && ch !== '=' && ch !== '\\' ? ch : `\\x{${cp.toString(16).toUpperCase()}}`;
  }
  return out;
}

// RFC 6533 3 utf-8-addr-xtext / utf-8-addr-unitext: UTF-8 allowed, "\x{HEX}" stands for a
// character (the only way to write "+", "=", "\" and controls).
export function decodeUnitext(value: string): string | null {
  if (!/^(?:[\x21-\x2a\x2c-\x3c\x3e-\x5b\x5d-\x7e\u{80}-\u{10ffff}]|\\x\{[0-9A-F]{1,6}\})*$/u.test(value)) return null;
  let bad = false;
  const out = value.replace(/\\x\{([0-9A-F]{1,6})\}/g, (_, hex: string) => {
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) bad = true;
    return bad ? '' : String.fromCodePoint(cp);
  });
  return bad ? null : out;
}

export interface DsnMailParams {
  ret: 'full' | 'hdrs' | null; // RFC 3461 4.3
  envid: string | null; // RFC 3461 4.4, decoded
}

export interface DsnRcptParams {
  notify: ('success' | 'failure' | 'delay')[] | null; // RFC 3461 4.1; [] is NEVER
  orcpt: string | null; // RFC 3461 4.2, "addr-type;address" decoded
}

// RFC 3461 4.3 and 4.4 on MAIL FROM:
//   ret-parameter   = "RET=" ("FULL" / "HDRS")
//   envid-parameter = "ENVID=" xtext       ; at most 100 characters
export function parseDsnMailParams(params: EsmtpParams): DsnMailParams {
  let ret: DsnMailParams['ret'] = null;
  let envid: string | null = null;
  if (params.RET !== undefined) {
    const v = typeof params.RET === 'string' ? params.RET.toUpperCase() : '';
    if (v !== 'FULL' && v !== 'HDRS') throw new ParamSyntaxError('RET is FULL or HDRS');
    ret = v === 'FULL' ? 'full' : 'hdrs';
  }
  if (params.ENVID !== undefined) {
    const v = params.ENVID;
    if (typeof v !== 'string' || v.length > 100) throw new ParamSyntaxError('ENVID is xtext of at most 100 characters');
    envid = decodeXtext(v);
    if (envid === null) throw new ParamSyntaxError('ENVID is not xtext');
  }
  return { ret, envid };
}

// RFC 3461 4.1 and 4.2 on RCPT TO (RFC 6533 3 adds the utf-8 address type with SMTPUTF8):
//   notify-esmtp-value = "NEVER" / 1#notify-list-element
//   notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
//   orcpt-parameter = "ORCPT=" original-recipient-address    ; at most 500 characters
//   original-recipient-address = addr-type ";" xtext
//   addr-type = atom
export function parseDsnRcptParams(params: EsmtpParams, utf8: boolean): DsnRcptParams {
  let notify: DsnRcptParams['notify'] = null;
  let orcpt: string | null = null;
  if (params.NOTIFY !== undefined) {
    if (typeof params.NOTIFY !== 'string') throw new ParamSyntaxError('NOTIFY needs a value');
    const items = params.NOTIFY.toUpperCase().split(',');
    if (items.length === 1 && items[0] === 'NEVER') notify = [];
    else {
      const allowed = ['SUCCESS', 'FAILURE', 'DELAY'];
      if (!items.every((i) => allowed.includes(i)) || new Set(items).size !== items.length) {
        throw new ParamSyntaxError('NOTIFY is NEVER or a list of SUCCESS, FAILURE, DELAY');
      }
      notify = items.map((i) => i.toLowerCase() as 'success' | 'failure' | 'delay');
    }
  }
  if (params.ORCPT !== undefined) {
    const v = params.ORCPT;
    const semi = typeof v === 'string' ? v.indexOf(';') : -1;
    if (typeof v !== 'string' || v.length > 500 || semi <= 0) throw new ParamSyntaxError('ORCPT is addr-type;xtext of at most 500 characters');
    const type = v.slice(0, semi);
    if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/.test(type)) throw new ParamSyntaxError('bad ORCPT address type');
    const isUtf8 = type.toLowerCase() === 'utf-8';
    if (isUtf8 && !utf8) throw new ParamSyntaxError('ORCPT type utf-8 needs SMTPUTF8');
    const address = isUtf8 ? decodeUnitext(v.slice(semi + 1)) : decodeXtext(v.slice(semi + 1));
    if (address === null || address === '') throw new ParamSyntaxError('bad ORCPT address');
    orcpt = `${type.toLowerCase()};${address}`;
  }
  return { notify, orcpt };
}
