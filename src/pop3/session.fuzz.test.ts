// Bounded fuzzing of a POP3 session's line handling and command parsing, in memory: the
// pop3-session target (test/fuzz/pop3.ts), its cases and a linearity check per hostile family.
import { fuzzTests } from '../../test/support/fuzz.ts';
import { pop3Target } from '../../test/fuzz/pop3.ts';

fuzzTests(pop3Target, { cases: 1500, seed: 0x9093 });
