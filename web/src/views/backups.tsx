// Backups: make one now (sealed with a passphrase, or not), download those in the data folder's
// backups/ and the scheduled folder, restore one (homepost restarts on it), and a warning when
// none succeeded for a week (docs/backup.md).
import type { BackupList } from '../../../src/api/commands/backup.ts';
import type { BackupEntry } from '../../../src/backup/folder.ts';
import type { SettingView } from '../../../src/api/commands/config.ts';
import type { BackupResult } from '../../../src/backup/create.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call, type JobState, runJob } from '../api.ts';
import { ConfirmButton, ErrorText, Field, Notice, Section, Table, useAction, useLoad, when } from '../ui.tsx';
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

// A backup's Restore: the passphrase when it is sealed, a confirmation, a job with its steps; the
// daemon then restarts, which ends this page's session.
function RestoreForm(p: { backup: BackupEntry }) {
  const action = useAction();
  const [passphrase, setPassphrase] = useState('');
  const [step, setStep] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const restore = () =>
    void action.run(() =>
      runJob<{ accounts: number; messages: number }>('backup.restore', p.backup.sealed ? { name: p.backup.name, passphrase } : { name: p.backup.name }, (s) =>
        setStep(s.progress?.what ?? null),
      ).then((r) => setDone(`Restored ${r.accounts} accounts and ${r.messages} messages. homepost restarts on them: log in again in a moment.`)),
    );
  return (
    <div>
      {p.backup.sealed && <Field label="Its passphrase" type="password" value={passphrase} onInput={setPassphrase} required={false} autoComplete="off" />}
      <ConfirmButton
        label={`Restore ${p.backup.name}`}
        confirm="Replace all mail with this backup"
        disabled={action.busy || Boolean(done) || (p.backup.sealed && !passphrase)}
        onConfirm={restore}
      />
      {action.busy && step && <p>{step}…</p>}
      <ErrorText error={action.error} />
      <Notice text={done} />
    </div>
  );
}

// The device mounts a USB drive (FAT, exFAT or ext4) it finds plugged in and makes a folder for
// homepost on it: offered as the scheduled backups' folder.
function UsbDrive(p: { usb: BackupList['usb']; saved: () => void }) {
  const action = useAction();
  const use = () => void action.run(() => call('config.set', { key: 'backup.folder', value: p.usb.folder })).then(p.saved);
  return (
    <>
      <p>
        {p.usb.present ? (
          <>
            A USB drive is plugged in: its folder is {p.usb.folder}.{' '}
            <button type="button" disabled={action.busy} onClick={use}>
              Use the USB drive for scheduled backups
            </button>
          </>
        ) : (
          `No USB drive is plugged in. Plug one in (FAT, exFAT or ext4) and the device makes the folder ${p.usb.folder} on it.`
        )}
      </p>
      <ErrorText error={action.error} />
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
                ...(data.canRestore ? [{ label: '', cell: (b: BackupEntry) => <RestoreForm backup={b} /> }] : []),
              ]}
            />
          )}
          {data.restored && (
            <p>
              This mail was restored {when(data.restored.at)} from {data.restored.name}, made {new Date(data.restored.created).toLocaleString()}.
            </p>
          )}
          {data.previous.length > 0 && (
            <p>
              The mail a restore replaced is kept on the device in {data.previous.join(', ')} until <code>homepost restore --discard-previous</code>.
            </p>
          )}
          <p>
            {data.canRestore
              ? 'Restoring replaces all mail, accounts, settings and certificates with those of the backup; homepost restarts on them and you log in again. The mail it replaces is kept on the device.'
              : 'homepost does not run as the device service here, so this page cannot restore.'}{' '}
            On the device, with homepost stopped, <code>homepost restore FILE</code> (with <code>--passphrase-file</code> for an encrypted backup) does the same
            from any file.
          </p>
        </Section>
      )}
      <Section title="Scheduled backups">
        <p>
          homepost can write a backup by itself, daily or weekly, into a folder on a USB drive, and keep the last few. A backup that finds its folder missing
          (the drive unplugged) fails, says so here, and is tried again an hour later.
        </p>
        {data && <UsbDrive usb={data.usb} saved={settings.reload} />}
        <ErrorText error={settings.error} />
        {settings.data?.map((s) => (
          <SettingRow key={s.key} setting={s} saved={settings.reload} />
        ))}
      </Section>
    </>
  );
}
