// Queue: outgoing mail waiting for delivery; try again now, or remove without notice.
import type { QueueRow } from '../../../src/control/commands/queue.ts';
import { bytes } from '../../../src/control/text.ts';
import { call } from '../api.ts';
import { ConfirmButton, ErrorText, useAction, useLoad, when } from '../ui.tsx';

const load = () => call<QueueRow[]>('queue.list');

export function QueueView() {
  const { data, error, reload } = useLoad(load);
  const action = useAction();
  const act = (method: string, ids: (number | 'all')[]) => void action.run(() => call(method, { ids })).then(reload);
  return (
    <>
      <h2>Queue</h2>
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
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Arrived</th>
              <th>Sender</th>
              <th>Subject</th>
              <th>Size</th>
              <th>Pending</th>
              <th>Next try</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.map((q) => (
              <tr key={q.id}>
                <td>{q.id}</td>
                <td>{when(q.arrivedAt)}</td>
                <td>{q.sender || '<> (a bounce)'}</td>
                <td>{q.subject ?? ''}</td>
                <td>{bytes(q.size)}</td>
                <td>
                  {q.pending} of {q.recipients}
                </td>
                <td>{when(q.nextAttemptAt)}</td>
                <td>
                  <button type="button" disabled={action.busy} onClick={() => act('queue.retry', [q.id])}>
                    Retry {q.id}
                  </button>
                  <ConfirmButton label={`Delete ${q.id}`} confirm={`Delete ${q.id} without notifying the sender`} onConfirm={() => act('queue.delete', [q.id])} disabled={action.busy} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
