// Queue: outgoing mail waiting for delivery, with each waiting recipient's tries and last error;
// try again now, or remove without notice.
import type { QueueRow } from '../../../src/api/commands/queue.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call } from '../api.ts';
import { ConfirmButton, ErrorText, Table, useAction, useLoad, when } from '../ui.tsx';

const load = () => call<QueueRow[]>('queue.list');

function Waiting(p: { row: QueueRow }) {
  return (
    <ul class="plain">
      {p.row.waiting.map((r) => (
        <li key={r.address}>
          {r.address}: {r.attempts === 0 ? 'not tried yet' : `${r.attempts} ${r.attempts === 1 ? 'try' : 'tries'}`}
          {r.lastResult && (
            <>
              , last: <code>{r.lastResult}</code>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function QueueView() {
  const { data, error, reload } = useLoad(load);
  const action = useAction();
  const act = (method: string, ids: (number | 'all')[]) => void action.run(() => call(method, { ids })).then(reload);
  return (
    <>
      <h2>Queue</h2>
      <p>Mail this server is still trying to deliver to other servers. A recipient that keeps failing for 5 days is returned to its sender.</p>
      <p>
        <button type="button" onClick={reload}>
          Refresh
        </button>{' '}
        {data && data.length > 0 && (
          <button type="button" disabled={action.busy} onClick={() => act('queue.retry', ['all'])}>
            Retry all now
          </button>
        )}
      </p>
      <ErrorText error={error ?? action.error} />
      {data && data.length === 0 && <p>The queue is empty.</p>}
      {data && data.length > 0 && (
        <Table
          rows={data}
          rowKey={(q) => q.id}
          columns={[
            { label: 'Id', cell: (q) => q.id },
            { label: 'Arrived', cell: (q) => when(q.arrivedAt) },
            { label: 'Sender', cell: (q) => q.sender || '<> (a bounce)' },
            { label: 'Subject', cell: (q) => q.subject ?? '' },
            { label: 'Size', cell: (q) => formatBytes(q.size) },
            { label: 'Waiting recipients', cell: (q) => <Waiting row={q} /> },
            { label: 'Next try', cell: (q) => when(q.nextAttemptAt) },
            {
              label: '',
              cell: (q) => (
                <>
                  <button type="button" disabled={action.busy} onClick={() => act('queue.retry', [q.id])}>
                    Retry {q.id}
                  </button>
                  <ConfirmButton
                    label={`Delete ${q.id}`}
                    confirm={`Delete ${q.id} without notifying the sender`}
                    onConfirm={() => act('queue.delete', [q.id])}
                    disabled={action.busy}
                  />
                </>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
