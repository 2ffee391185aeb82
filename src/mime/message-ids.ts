// Message identifiers (RFC 5322 3.6.4 msg-id) read leniently from Message-ID, In-Reply-To and
// References: what lies between "<" and ">" and holds an "@", white space removed, as RFC 5256's
// REFERENCES threading compares them.
const MSG_ID = /<([^<>]*@[^<>]*)>/g;

export function messageIds(value: string | null): string[] {
  if (value === null) return [];
  const ids: string[] = [];
  for (const m of value.matchAll(MSG_ID)) {
    const id = m[1]!.replace(/[ \t\r\n]+/g, '');
    if (id.length > 1) ids.push(id);
  }
  return ids;
}
