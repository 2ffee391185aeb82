// Splits "MAIL FROM:<path> params" and "RCPT TO:<path> params" (RFC 5321 4.1.1.2, 4.1.1.3) into
// the path and its parameters, then parses both strictly (address.ts, esmtp-params.ts), the
// RFC 3461 DSN parameters included.
// RFC 5321 4.1.2 says no space belongs after the colon; like Postfix (strict_rfc821_envelopes=no)
// one space there is tolerated, since the address itself is what relay decisions rest on.
import { AddressSyntaxError, parsePath, type ParsedPath } from '../smtp/address.ts';
import { parseDsnMailParams, parseDsnRcptParams, parseParams, type DsnMailParams, type DsnRcptParams, type EsmtpParams } from '../smtp/esmtp-params.ts';

export interface PathCommand {
  path: ParsedPath;
  params: EsmtpParams;
  // RET/ENVID of MAIL FROM, NOTIFY/ORCPT of RCPT TO (the others null).
  dsn: DsnMailParams & DsnRcptParams;
}

// Where the path that starts at text[0] === "<" ends (after its ">"), skipping quoted strings.
function pathEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i + 1;
  }
  throw new AddressSyntaxError('path without closing ">"');
}

export function parsePathCommand(line: string, verb: 'MAIL FROM' | 'RCPT TO', utf8: (params: EsmtpParams) => boolean): PathCommand {
  const prefix = `${verb}:`;
  if (line.slice(0, prefix.length).toUpperCase() !== prefix) throw new AddressSyntaxError(`expected ${prefix}`);
  let rest = line.slice(prefix.length);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  if (!rest.startsWith('<')) throw new AddressSyntaxError('a path is enclosed in "<" and ">"');
  const end = pathEnd(rest);
  const after = rest.slice(end);
  if (after !== '' && !after.startsWith(' ')) throw new AddressSyntaxError('expected a space after the path');
  const params = parseParams(after.slice(1));
  const isUtf8 = utf8(params);
  const path = parsePath(rest.slice(0, end), {
    nullAllowed: verb === 'MAIL FROM',
    postmasterAllowed: verb === 'RCPT TO',
    utf8: isUtf8,
  });
  const dsn =
    verb === 'MAIL FROM' ? { ...parseDsnMailParams(params), notify: null, orcpt: null } : { ret: null, envid: null, ...parseDsnRcptParams(params, isUtf8) };
  return { path, params, dsn };
}
