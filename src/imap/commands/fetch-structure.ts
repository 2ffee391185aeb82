// ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 7.5.2, RFC 3501 7.4.2) written from the stored
// ParsedMessage (src/mime): only IMAP encoding happens here, no parsing.
import { rfc2231Encode, type Address, type Envelope, type MimePart, type Param } from '../../mime/index.ts';
import type { ResponseBuilder, ResponseWriter } from '../encoder.ts';

// env-from etc. = "(" 1*address ")" / nil: addresses follow each other without spaces.
function addresses(b: ResponseWriter, list: Address[] | null): void {
  if (!list) {
    b.raw('NIL');
    return;
  }
  b.raw('(');
  for (const a of list) b.raw('(').str(a.name).sp().str(a.adl).sp().str(a.mailbox).sp().str(a.host).raw(')');
  b.raw(')');
}

// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
//            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
export function writeEnvelope(b: ResponseWriter, e: Envelope): void {
  b.raw('(').str(e.date).sp().str(e.subject).sp();
  addresses(b, e.from);
  b.sp();
  addresses(b, e.sender);
  b.sp();
  addresses(b, e.replyTo);
  b.sp();
  addresses(b, e.to);
  b.sp();
  addresses(b, e.cc);
  b.sp();
  addresses(b, e.bcc);
  b.sp().str(e.inReplyTo).sp().str(e.messageId).raw(')');
}

// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
// An RFC 2231 extended parameter ("foo*", continuations joined) is stored decoded to UTF-8
// (src/mime/params.ts, after RFC 9051 7.5.2). A session without UTF8=ACCEPT gets it encoded
// again, "foo*" = "utf-8''%XX..." (RFC 2231 4), so the response stays 7-bit (RFC 6855 3: UTF-8
// only once enabled) and the "*" still means what RFC 2231 says. A session with UTF8=ACCEPT gets
// the text as the plain "foo", in place of the plain "foo" a part may also carry for agents that
// do not know RFC 2231: RFC 6855 3 lets it be sent in a quoted string, and under "foo*" a decoded
// value holding "'" would be split as charset'language'value by clients that decode RFC 2231.
function params(b: ResponseBuilder, ps: Param[]): void {
  if (!ps.length) {
    b.raw('NIL');
    return;
  }
  const utf8 = b.utf8Accepted;
  const names = new Set(ps.map(([k]) => k));
  const sent = utf8 ? ps.filter(([k]) => !names.has(`${k}*`)) : ps;
  b.list(sent, ([k, v]) => {
    const extended = /^[^*]+\*$/.test(k);
    if (!extended) b.str(k).sp().str(v);
    else if (utf8) b.str(k.slice(0, -1)).sp().str(v);
    else b.str(k).sp().str(rfc2231Encode(v));
  });
}

// body-ext-1part / body-ext-mpart tail: body-fld-dsp SP body-fld-lang SP body-fld-loc
function dispositionLanguageLocation(b: ResponseBuilder, part: MimePart): void {
  if (part.disposition) {
    b.raw('(').str(part.disposition.type).sp();
    params(b, part.disposition.params);
    b.raw(')');
  } else {
    b.raw('NIL');
  }
  b.sp();
  // body-fld-lang = nstring / "(" string *(SP string) ")"
  const lang = part.language;
  if (!lang?.length) b.raw('NIL');
  else if (lang.length === 1) b.str(lang[0]!);
  else b.list(lang, (l) => b.str(l));
  b.sp().str(part.location);
}

const isMessage = (p: MimePart) => p.type === 'message' && (p.subtype === 'rfc822' || p.subtype === 'global') && p.children.length === 1 && p.envelope !== null;

// body = "(" (body-type-1part / body-type-mpart) ")"; extended adds the extension data that
// BODYSTRUCTURE carries and BODY does not. Iterative over the tree, so deep nesting (the MIME
// parser allows 100 levels) cannot exhaust the stack.
export function writeBody(b: ResponseBuilder, root: MimePart, extended: boolean): void {
  const todo: { part: MimePart; phase: 'open' | 'close' }[] = [{ part: root, phase: 'open' }];
  while (todo.length) {
    const step = todo.pop()!;
    const part = step.part;
    if (part.type === 'multipart') {
      if (step.phase === 'open') {
        b.raw('(');
        todo.push({ part, phase: 'close' });
        for (let i = part.children.length - 1; i >= 0; i--) todo.push({ part: part.children[i]!, phase: 'open' });
        continue;
      }
      b.sp().str(part.subtype);
      if (extended) {
        b.sp();
        params(b, part.params);
        b.sp();
        dispositionLanguageLocation(b, part);
      }
      b.raw(')');
      continue;
    }
    if (step.phase === 'open') {
      b.raw('(').str(part.type).sp().str(part.subtype).sp();
      params(b, part.params);
      b.sp().str(part.id).sp().str(part.description).sp().str(part.encoding).sp().num(part.size);
      if (isMessage(part)) {
        b.sp();
        writeEnvelope(b, part.envelope!);
        b.sp();
        todo.push({ part, phase: 'close' });
        todo.push({ part: part.children[0]!, phase: 'open' });
        continue;
      }
      if (part.type === 'text') b.sp().num(part.lines);
    } else {
      // message/rfc822: after the encapsulated body structure comes its line count.
      b.sp().num(part.lines);
    }
    if (extended) {
      b.sp().str(part.md5).sp();
      dispositionLanguageLocation(b, part);
    }
    b.raw(')');
  }
}
