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
  for (const param of text.split(' ')) {
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
