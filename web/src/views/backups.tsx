// Backups: make one now (sealed with a passphrase, or not), download those in the data folder's
// backups/, and a warning when none succeeded for a week (docs/backup.md). Restoring is done on
// the device with homepost stopped: the view says how.
import type { BackupList } from '../../../src/api/commands/backup.ts';
import type { SettingView } from '../../../src/api/commands/config.ts';
import type { BackupResult } from '../../../src/backup/create.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call, type JobState, runJob } from '../api.ts';
import { ErrorText, Field, Notice, Section, Table, useAction, useLoad, when } from '../ui.tsx';
import { useState } from 'preact/hooks';
import { SettingRow } from './settings.tsx';

const SETTINGS = ['backup.schedule', 'backup.folder', 'backup.keep', 'backup.passphrase'];

const load = () => call<BackupList>('backup.list');
const loadSettings = () => call<SettingView[]>('config.list').then((all) => all.filter((s) => SETTINGS.includes(s.key)));

// The Status view's line too: the last good backup, or the warning.
export function BackupWarning(p: { list: BackupList }) {
  const { last, stale, failure } = p.list;
  return (
    <>
      {stale && <ErrorText error={last ? `No backup for more than 7 days: the last good one was made ${when(last.at)}.` : 'No backup yet.'} />}
      {failure && <ErrorText error={`The scheduled backup of ${when(failure.at)} into ${failure.folder} failed: ${failure.error}`} />}
    </>
  );
}

export function BackupsView() {
  const { data, error, reload } = useLoad(load);
  const settings = useLoad(loadSettings);
  const action = useAction();
  const [passphrase, setPassphrase] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [progress, setProgress] = useState<JobState['progress']>(null);
  const make = (e: Event) => {
    e.preventDefault();
    setDone(null);
    setProgress(null);
    void action
      .run(() =>
        runJob<BackupResult>('backup', passphrase ? { passphrase } : {}, (s) => setProgress(s.progress)).then((r) =>
          setDone(`Backup made: ${r.file.split('/').at(-1)} (${formatBytes(r.bytes)}).`),
        ),
      )
      .then(reload);
  };
  return (
    <>
      <h2>Backups</h2>
      <p>
        A backup holds all mail, accounts, settings and certificates, taken while mail keeps arriving. Download it and keep it away from this device. With a
        passphrase it is encrypted: without the passphrase nobody, you included, can restore it.
      </p>
      <ErrorText error={error} />
      {data && <BackupWarning list={data} />}
      <Section title="Make a backup now">
        <form onSubmit={make}>
          <Field
            label="Passphrase (optional, 8 characters or more)"
            type="password"
            value={passphrase}
            onInput={setPassphrase}
            required={false}
            minLength={8}
            autoComplete="new-password"
          />
          <button type="submit" disabled={action.busy}>
            {action.busy ? 'Making a backup…' : 'Make a backup'}
          </button>
        </form>
        {action.busy && progress?.total ? (
          <p>
            <progress value={progress.done} max={progress.total} aria-label="Backup progress" /> {formatBytes(progress.done)} of {formatBytes(progress.total)}
          </p>
        ) : null}
        <ErrorText error={action.error} />
        <Notice text={done} />
      </Section>
      {data && (
        <Section title="Backups on this device">
          {data.last && (
            <p>
              Last good backup: {when(data.last.at)}, {data.last.file} ({formatBytes(data.last.bytes)}
              {data.last.sealed ? ', sealed' : ''}).
            </p>
          )}
          {data.backups.length === 0 ? (
            <p>None yet in {data.folders.join(' or ')}.</p>
          ) : (
            <Table
              caption={`In ${data.folders.join(' and ')}`}
              rows={data.backups}
              rowKey={(b) => b.name}
              columns={[
                { label: 'Made', cell: (b) => when(b.at) },
                { label: 'Folder', cell: (b) => b.folder },
                { label: 'Size', cell: (b) => formatBytes(b.bytes) },
                { label: 'Encrypted', cell: (b) => (b.sealed ? 'yes' : 'no') },
                {
                  label: '',
                  cell: (b) => (
                    <a href={`/api/backup?name=${encodeURIComponent(b.name)}`} download={b.name}>
                      Download {b.name}
                    </a>
                  ),
                },
              ]}
            />
          )}
          <p>
            To restore one, copy it to the device, stop homepost and run <code>homepost restore FILE</code> (with <code>--passphrase-file</code> for an
            encrypted one). The current mail is kept until <code>homepost restore --discard-previous</code>.
          </p>
        </Section>
      )}
      <Section title="Scheduled backups">
        <p>
          homepost can write a backup by itself, daily or weekly, into a folder on a USB drive, and keep the last few. A backup that finds its folder missing
          (the drive unplugged) fails, says so here, and is tried again an hour later.
        </p>
        <ErrorText error={settings.error} />
        {settings.data?.map((s) => (
          <SettingRow key={s.key} setting={s} saved={settings.reload} />
        ))}
      </Section>
    </>
  );
}
