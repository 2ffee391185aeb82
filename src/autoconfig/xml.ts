// Text and attribute values in the XML this folder writes (XML 1.0 2.4: & and < always, > and
// quotes so that any value is safe in any place).
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
