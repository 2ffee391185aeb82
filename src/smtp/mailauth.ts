// mailauth (DKIM signing, SPF/DKIM/DMARC checks) is loaded on first use: with its dependencies it
// takes about 29 MB of RSS (its script compiled, after a GC; 10 MB of it live heap), which a
// device serving only IMAP and POP3, or one that has not yet received mail from the internet or
// signed any, does not need to pay. In the executable it is a script of its own, read and
// compiled only then (tools/sea/plugin.ts).
let loading: Promise<typeof import('mailauth')> | null = null;

export function loadMailauth(): Promise<typeof import('mailauth')> {
  loading ??= import('mailauth');
  return loading;
}
