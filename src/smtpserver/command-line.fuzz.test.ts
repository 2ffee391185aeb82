// Bounded fuzzing of the MAIL FROM and RCPT TO parser (address.ts, esmtp-params.ts,
// command-line.ts): the target in test/fuzz/smtp.ts, its cases and a linearity check per hostile
// family.
import { fuzzTests } from '../../test/support/fuzz.ts';
import { smtpTarget } from '../../test/fuzz/smtp.ts';

fuzzTests(smtpTarget, { cases: 20000, seed: 0x5317 });
