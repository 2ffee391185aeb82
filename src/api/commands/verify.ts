// `homepost verify`: the store's consistency check (src/store/consistency.ts) and how many bodies
// an older MIME parser parsed; one line per problem, exit code 1 when there is any.
import { MIME_FORMAT_VERSION } from '../../mime/types.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams } from '../method.ts';

export interface VerifyResult {
  problems: string[];
  bodies: number;
  // Bodies whose parsed form predates this parser; `homepost serve` parses them again at start.
  staleParsed: number;
  mimeFormatVersion: number;
}

const verify = method({
  offline: true,
  write: false,
  params: noParams,
  run: ({ store }): VerifyResult => {
    let staleParsed = 0;
    let from: Buffer | undefined;
    do {
      const slice = store.bodies.staleParsed(from, 1000);
      staleParsed += slice.stale.length;
      from = slice.next;
    } while (from);
    return { problems: store.checkConsistency(), bodies: store.bodies.count(), staleParsed, mimeFormatVersion: MIME_FORMAT_VERSION };
  },
});

function describe(r: VerifyResult): string {
  const lines = r.problems.map((p) => `problem: ${p}`);
  if (r.staleParsed) {
    lines.push(
      `${r.staleParsed} of ${r.bodies} bodies parsed by an older MIME parser (before format ${r.mimeFormatVersion}): homepost serve parses them again when it starts`,
    );
  }
  const n = r.problems.length;
  lines.push(n ? `${n} problem${n === 1 ? '' : 's'} found` : `no problems found (${r.bodies} bodies checked)`);
  return `${lines.join('\n')}\n`;
}

export const verifyGroup: CommandGroup = {
  name: 'verify',
  summary: "check the store's consistency (references, counters, bodies, parsed forms)",
  entries: [
    entry('', verify, {
      summary: "check the store's consistency: one line per problem (exit code 1 when there is any)",
      text: describe,
      exitCode: (r) => (r.problems.length ? 1 : 0),
    }),
  ],
};
