// What is done and what is left (the API's "setup" method): each open item links to its step.
import type { ChecklistItem } from '../../../../src/api/commands/setup.ts';
import { call } from '../../api.ts';
import { ErrorText, Section, useLoad } from '../../ui.tsx';

const load = () => call<ChecklistItem[]>('setup');

const MARK = { done: '✓', todo: '○', warn: '!' } as const;
const WORD = { done: 'done', todo: 'to do', warn: 'works, with a caveat' } as const;

export function Checklist() {
  const { data, error } = useLoad(load);
  const next = data?.find((i) => i.state === 'todo');
  return (
    <Section title="Setup checklist">
      <ErrorText error={error} />
      {next && (
        <p>
          Next step: <a href={`#setup/${next.step}`}>{next.title}</a>
        </p>
      )}
      {data && !next && <p>Everything is set up.</p>}
      <ul class="checklist">
        {(data ?? []).map((i) => (
          <li key={i.id} class={i.state}>
            <span role="img" aria-label={WORD[i.state]}>
              {MARK[i.state]}
            </span>{' '}
            <strong>{i.title}</strong>: {i.detail}
            {i.state !== 'done' && (
              <>
                {' '}
                <a href={`#setup/${i.step}`}>go to step {i.step}</a>
              </>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function ChecklistView() {
  return (
    <>
      <h2>Checklist</h2>
      <Checklist />
    </>
  );
}
