// mailauth (DKIM signing, SPF/DKIM/DMARC checks) is loaded on first use: with its dependencies it
// takes about 25 MB of memory (bench-imap), which a device serving only IMAP and POP3, or one that
// has not yet received mail from the internet or signed any, does not need to pay.
let loading: Promise<typeof import('mailauth')> | null = null;

export function loadMailauth(): Promise<typeof import('mailauth')> {
  loading ??= import('mailauth');
  return loading;
}
