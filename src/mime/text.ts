// The text SEARCH BODY and TEXT look through (RFC 9051 6.4.4): every text part transfer- and
// charset-decoded (decode.ts), joined by a line break so that no match spans two parts, and
// lowercased once (SEARCH matches case-insensitively). Megabytes of base64 take tens of
// milliseconds to decode, so large ones are decoded in a worker (src/offload, job "text").
import { decodePartText, type BodyPart } from './decode.ts';

export function partsText(raw: Buffer, parts: readonly BodyPart[]): string {
  return parts
    .map((part) => decodePartText(raw, part))
    .join('\n')
    .toLowerCase();
}

// The worker's side: the parts' bytes come transferred, offsets relative to them.
export async function textJob(input: { bytes: Uint8Array; parts: BodyPart[] }): Promise<{ text: string }> {
  return { text: partsText(Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength), input.parts) };
}
