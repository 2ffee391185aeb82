// Updates (docs/updates.md): the version running, how the last update ended, and an upload of a
// signed release file. The daemon checks the file; the device's update service (root) installs it,
// restarts homepost and puts the previous version back when the new one fails its health check.
// The restart ends the page's session: it asks for the password again, then shows the outcome.
// Below, Debian's security updates: automatic or manual, and whether the device needs a restart.
import type { UpdateStatus } from '../../../src/api/commands/update.ts';
import type { LastUpdate } from '../../../src/update/settings.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call, uploadUpdate } from '../api.ts';
import { ErrorText, Notice, Section, useAction, useLoad, when } from '../ui.tsx';
import { useEffect, useState } from 'preact/hooks';

const load = () => call<UpdateStatus>('update.status');
const POLL_MS = 3000;

function Outcome(p: { last: LastUpdate }) {
  const { last } = p;
  if (last.outcome === 'updated') return <Notice text={`Updated from ${last.from} to ${last.to} ${when(last.at)}.`} />;
  const what =
    last.outcome === 'rolled-back'
      ? `The update to ${last.to} was rolled back ${when(last.at)}; ${last.from} runs again.`
      : `An update was refused ${when(last.at)}.`;
  return <ErrorText error={`${what} ${last.reason ?? ''}`} />;
}

function SecurityUpdates(p: { status: UpdateStatus; saved: () => void }) {
  const action = useAction();
  const choose = (mode: UpdateStatus['securityUpdates']) => void action.run(() => call('update.security-updates', { mode })).then(p.saved);
  const { securityUpdates: mode } = p.status;
  return (
    <Section title="Security updates of the system">
      <p>
        The device runs Debian. Its security updates can be installed by themselves once a day (only Debian's security fixes, never a restart of the device), or
        by hand. Automatic is recommended.
      </p>
      {!p.status.unattendedUpgrades && <p>This system has no unattended-upgrades: the choice takes effect on the device's image only.</p>}
      <p>
        Security updates are now <strong>{mode === 'automatic' ? 'installed automatically' : 'installed by hand'}</strong>.{' '}
        <button type="button" disabled={action.busy} onClick={() => choose(mode === 'automatic' ? 'manual' : 'automatic')}>
          {mode === 'automatic' ? 'Install them by hand' : 'Install them automatically'}
        </button>
      </p>
      {p.status.rebootRequired && <ErrorText error="An installed update needs a restart of the device: unplug it and plug it in again, or run sudo reboot." />}
      <ErrorText error={action.error} />
    </Section>
  );
}

export function UpdatesView() {
  const { data, error, reload } = useLoad(load);
  const action = useAction();
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState(0);
  // The update sent, until the update service reports on it.
  const [waiting, setWaiting] = useState<{ since: number; version: string } | null>(null);
  // While the update service works, asked again until it has reported.
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting]);
  useEffect(() => {
    if (waiting && data && !data.pending && data.last && data.last.at > waiting.since) setWaiting(null);
  }, [data]);
  const upload = (e: Event) => {
    e.preventDefault();
    if (!file) return;
    const started = Date.now();
    setSent(0);
    void action.run(() => uploadUpdate(file, setSent).then((m) => setWaiting({ since: started, version: m.version }))).then(reload);
  };
  const accepts = data?.executable && data.releaseKey;
  return (
    <>
      <h2>Updates</h2>
      <ErrorText error={error} />
      {data && (
        <p>
          This is homepost {data.version} for {data.arch}.
        </p>
      )}
      {data?.last && <Outcome last={data.last} />}
      {data && <SecurityUpdates status={data} saved={reload} />}
      {data && !accepts && (
        <p>
          This homepost accepts no updates:{' '}
          {data.executable ? 'it was built without a release key.' : 'it runs from a source checkout, not as the single executable.'}
        </p>
      )}
      {accepts && (
        <Section title="Install an update">
          <p>
            Choose a release file (<code>homepost-VERSION-linux-{data.arch}.update</code>). It must be signed with the release key this homepost trusts, be for
            this device and be no older than this version. The device installs it, restarts homepost and checks that mail is served again; if not, the previous
            version comes back by itself. You will be asked to log in again.
          </p>
          <form onSubmit={upload}>
            <label>
              Release file <input type="file" accept=".update" required onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
            </label>
            <button type="submit" disabled={action.busy || !file || Boolean(waiting)}>
              {action.busy ? 'Sending…' : 'Upload and install'}
            </button>
          </form>
          {action.busy && file ? (
            <p>
              <progress value={sent} max={file.size} aria-label="Upload progress" /> {formatBytes(sent)} of {formatBytes(file.size)}
            </p>
          ) : null}
          <ErrorText error={action.error} />
          {(waiting || data.pending) && (
            <Notice
              text={`The update${waiting ? ` to ${waiting.version}` : ''} was checked and waits for the device's update service, which installs it and restarts homepost. This page shows the outcome once it is done.`}
            />
          )}
        </Section>
      )}
    </>
  );
}
