// POP3 (RFC 1939 with RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL, RFC 6856 UTF8): the starter
// that `homepost serve` runs. Protocol notes: docs/pop3.md.
export { createPop3Service } from './server.ts';
export type { Pop3Options } from './settings.ts';
