// The first-boot wizard: the steps from a new device to mail that arrives and leaves. Each step is
// its own page (#setup/N), can be revisited later, and ends with a link to the next.
import type { ComponentType } from 'preact';
import { CertificateView } from '../certificate.tsx';
import { SendingView } from '../sending.tsx';
import { ChecklistView } from './checklist.tsx';
import { DevicesStep } from './devices.tsx';
import { DnsStep } from './dns.tsx';
import { NameStep } from './name.tsx';

interface Step {
  title: string;
  view: ComponentType;
}

// The checklist (src/api/commands/setup.ts) names these steps by number.
export const STEPS: Step[] = [
  { title: 'Name and domain', view: NameStep },
  { title: 'Certificate', view: CertificateView },
  { title: 'DNS records', view: DnsStep },
  { title: 'Sending out', view: SendingView },
  { title: 'Accounts and devices', view: DevicesStep },
  { title: 'Checklist', view: ChecklistView },
];

export function stepFromHash(hash: string): number {
  const n = Number(/^#setup\/(\d+)$/.exec(hash)?.[1] ?? 1);
  return Math.min(Math.max(1, n), STEPS.length);
}

export function SetupWizard(p: { step: number }) {
  const step = STEPS[p.step - 1];
  const View = step.view;
  return (
    <>
      <nav aria-label="Setup steps" class="steps">
        <ol>
          {STEPS.map((s, i) => (
            <li key={s.title}>
              <a href={`#setup/${i + 1}`} aria-current={i + 1 === p.step ? 'step' : undefined}>
                {s.title}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <View />
      <p class="step-nav">
        {p.step > 1 && <a href={`#setup/${p.step - 1}`}>← {STEPS[p.step - 2].title}</a>}
        {p.step < STEPS.length && (
          <a href={`#setup/${p.step + 1}`} class="next">
            Next: {STEPS[p.step].title} →
          </a>
        )}
      </p>
    </>
  );
}
