// Bounded fuzzing of the header-value parsers (address.ts, params.ts, encoded-words.ts,
// envelope.ts): the mime-header target (test/fuzz/mime.ts), its cases and a linearity check per
// hostile family.
import { fuzzTests } from '../../test/support/fuzz.ts';
import { mimeHeaderTarget } from '../../test/fuzz/mime.ts';

fuzzTests(mimeHeaderTarget, { cases: 10000, seed: 0x4ead });
