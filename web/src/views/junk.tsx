// Junk: per account, the messages in its Junk mailbox, what its filter has learnt and its last
// decisions with their reasons, each message still in Junk with a "Not junk" button (junk.not-junk
// moves it back to INBOX and trains the filter); then the settings that decide what is junk.
import type { JunkStats } from '../../../src/api/commands/junk.ts';
import type { SettingView } from '../../../src/api/commands/config.ts';
import type { JunkDecision } from '../../../src/junk/decisions.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call } from '../api.ts';
import { ErrorText, Section, Table, useAction, useLoad, when } from '../ui.tsx';
import { SettingRow } from './settings.tsx';

const SETTINGS = ['junk.threshold', 'junk.hamAfter', 'smtp.dnsblZones', 'smtp.dnsAllowlistZones'];

const loadStats = () => call<JunkStats[]>('junk.stats');
const loadSettings = () => call<SettingView[]>('config.list').then((all) => all.filter((s) => SETTINGS.includes(s.key)));

function Reasons(p: { decision: JunkDecision }) {
  return (
    <ul class="plain">
      {p.decision.reasons.map((r) => (
        <li key={r.token}>
          <code>{r.token}</code> {r.probability.toFixed(2)}
        </li>
      ))}
    </ul>
  );
}

function Account(p: { stats: JunkStats; changed: () => void }) {
  const s = p.stats;
  const action = useAction();
  const notJunk = (uid: number) => void action.run(() => call('junk.not-junk', { address: s.address, uid })).then(p.changed);
  const inJunk = (d: JunkDecision) => d.uid !== null && d.mailbox === s.junkMailbox;
  return (
    <Section title={s.address}>
      <p>
        {s.junkMailbox ? `${s.inJunk} ${s.inJunk === 1 ? 'message' : 'messages'} in ${s.junkMailbox}. ` : 'No Junk mailbox yet. '}
        The filter learnt from {s.counts.spam} junk and {s.counts.ham} wanted messages ({s.counts.tokens} words and marks, {formatBytes(s.counts.bytes)}).
      </p>
      <ErrorText error={action.error} />
      {s.decisions.length === 0 ? (
        <p>No mail from the internet judged since homepost started.</p>
      ) : (
        <Table
          caption={`Last decisions for ${s.address}`}
          rows={[...s.decisions]}
          rowKey={(d) => `${d.at} ${d.mailboxId} ${d.uid}`}
          columns={[
            { label: 'Arrived', cell: (d) => when(d.at) },
            { label: 'Subject', cell: (d) => d.subject ?? '' },
            { label: 'Filed in', cell: (d) => (d.uid === null ? `${d.mailbox} (moved since)` : d.mailbox) },
            { label: 'Decided by', cell: (d) => `${d.rule}, score ${d.score.toFixed(2)}` },
            { label: 'Reasons', cell: (d) => <Reasons decision={d} /> },
            {
              label: '',
              cell: (d) =>
                inJunk(d) && (
                  <button type="button" disabled={action.busy} aria-label={`Not junk: ${d.subject ?? `UID ${d.uid}`}`} onClick={() => notJunk(d.uid!)}>
                    Not junk
                  </button>
                ),
            },
          ]}
        />
      )}
    </Section>
  );
}

export function JunkView() {
  const stats = useLoad(loadStats);
  const settings = useLoad(loadSettings);
  return (
    <>
      <h2>Junk</h2>
      <p>
        Each account's filter learns from what its user does: moving a message into Junk teaches it junk, moving one out teaches it wanted mail. “Not junk” does
        the same from here.
      </p>
      <p>
        <button type="button" onClick={stats.reload}>
          Refresh
        </button>
      </p>
      <ErrorText error={stats.error} />
      {stats.data?.map((s) => (
        <Account key={s.address} stats={s} changed={stats.reload} />
      ))}
      <Section title="What counts as junk">
        <p>A score from the threshold up goes to Junk. Blocklists refuse mail from the addresses they list; the Status page says when one refuses to answer.</p>
        <ErrorText error={settings.error} />
        {settings.data?.map((s) => (
          <SettingRow key={s.key} setting={s} saved={settings.reload} />
        ))}
      </Section>
    </>
  );
}
