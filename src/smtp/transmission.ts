// One transmission of a queued message, prepared in a worker (src/offload): the 8BITMIME
// downgrade for a peer that lacks it (RFC 6152 3, downgrade.ts) and the DKIM signatures on top
// (RFC 6376 5, with mailauth). Both read and rewrite the whole message, which may be tens of MB,
// so neither runs on the event loop. The message comes transferred (not copied) and the result
// goes back transferred too.
import type { MessageStructure } from '../mime/types.ts';
import type { DkimSignOptions } from './dkim/sign.ts';
import { loadMailauth } from './mailauth.ts';
import { to7bit } from './downgrade.ts';

export interface TransmissionInput {
  message: Uint8Array;
  parsed: MessageStructure;
  downgrade: boolean;
  dkim: DkimSignOptions | null;
}

export interface TransmissionOutput {
  buffer: ArrayBuffer;
  length: number;
  // Why signing failed, when it did: the message then goes unsigned.
  signErrors: string[];
}

export async function prepareTransmission(input: TransmissionInput): Promise<TransmissionOutput> {
  let raw = Buffer.from(input.message.buffer, input.message.byteOffset, input.message.byteLength);
  if (input.downgrade) raw = to7bit(raw, input.parsed);
  let signatures = Buffer.alloc(0);
  const signErrors: string[] = [];
  if (input.dkim) {
    const o = input.dkim;
    try {
      const { dkimSign } = await loadMailauth();
      const result = await dkimSign(raw, {
        signingDomain: o.domain,
        selector: o.keys[0]!.selector,
        privateKey: o.keys[0]!.privateKey,
        canonicalization: 'relaxed/relaxed',
        headerList: o.headerList,
        signatureData: o.keys.map((k) => ({
          signingDomain: o.domain,
          selector: k.selector,
          privateKey: k.privateKey,
          algorithm: k.algorithm,
          canonicalization: 'relaxed/relaxed',
        })) as never,
      });
      for (const e of result.errors ?? []) signErrors.push(String((e as { message?: string }).message ?? e));
      if (result.signatures) signatures = Buffer.from(result.signatures);
    } catch (e) {
      signErrors.push((e as Error).message);
    }
  }
  const buffer = new ArrayBuffer(signatures.length + raw.length);
  const out = Buffer.from(buffer);
  out.set(signatures, 0);
  out.set(raw, signatures.length);
  return { buffer, length: out.length, signErrors };
}
