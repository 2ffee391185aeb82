// Move mail: an account's mail out to a Maildir or mbox files in a folder of the device (a USB
// drive), or in from them or from another IMAP server (docs/transfer.md); each runs as a job with
// a progress bar, as `homepost export` and `homepost import` do on the command line.
import { useState } from 'preact/hooks';
import type { AccountInfo } from '../../../src/store/index.ts';
import type { ExportResult } from '../../../src/transfer/export.ts';
import type { ImportResult } from '../../../src/transfer/import.ts';
import { call, type JobState, runJob } from '../api.ts';
import { ErrorText, Field, Notice, Section, useAction, useLoad } from '../ui.tsx';

const loadAccounts = () => call<AccountInfo[]>('user.list');

type Format = 'maildir' | 'mbox';

function Choice<T extends string>(p: { label: string; value: T; options: readonly (readonly [T, string])[]; onChange: (v: T) => void }) {
  return (
    <label class="field">
      <span>{p.label}</span>
      <select value={p.value} onChange={(e) => p.onChange(e.currentTarget.value as T)}>
        {p.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

const FORMATS = [
  ['maildir', 'Maildir (a folder, as Dovecot keeps it)'],
  ['mbox', 'mbox files'],
] as const;

export function TransferView() {
  const accounts = useLoad(loadAccounts);
  const action = useAction();
  const [progress, setProgress] = useState<JobState['progress']>(null);
  const [done, setDone] = useState<string | null>(null);
  const [address, setAddress] = useState('');
  const [format, setFormat] = useState<Format>('maildir');
  const [folder, setFolder] = useState('');
  const [source, setSource] = useState<Format | 'imap'>('imap');
  const [path, setPath] = useState('');
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [insecure, setInsecure] = useState(false);
  const account = address || accounts.data?.[0]?.address || '';

  const run = <T,>(method: string, params: Record<string, unknown>, describe: (r: T) => string) => {
    setDone(null);
    setProgress(null);
    void action.run(() => runJob<T>(method, { address: account, ...params }, (s) => setProgress(s.progress)).then((r) => setDone(describe(r))));
  };
  const exportMail = (e: Event) => {
    e.preventDefault();
    run<ExportResult>('export', { [format]: folder }, (r) => `Exported ${r.messages} messages in ${r.mailboxes} mailboxes to ${r.to}.`);
  };
  const importMail = (e: Event) => {
    e.preventDefault();
    const params = source === 'imap' ? { imap: url, password, insecureTls: insecure } : { [source]: path };
    run<ImportResult>('import', params, (r) => `Imported ${r.imported} messages into ${r.mailboxes.join(', ')}; ${r.skipped} were there already.`);
  };

  return (
    <>
      <h2>Move mail</h2>
      <p>
        Take an account's mail to another server or mail program, or bring mail in from one. Folders are on this device (a USB drive, for one) and must be
        readable and writable by homepost.
      </p>
      <ErrorText error={accounts.error} />
      {accounts.data && accounts.data.length === 0 && <p>Make an account first.</p>}
      {accounts.data && accounts.data.length > 0 && (
        <>
          <Choice label="Account" value={account} options={accounts.data.map((a) => [a.address, a.address] as const)} onChange={setAddress} />
          {action.busy && progress?.total ? (
            <p>
              <progress value={progress.done} max={progress.total} aria-label="Progress" /> {progress.done} of {progress.total} {progress.what}
            </p>
          ) : null}
          <ErrorText error={action.error} />
          <Notice text={done} />
          <Section title="Export">
            <form onSubmit={exportMail}>
              <Choice label="Format" value={format} options={FORMATS} onChange={setFormat} />
              <Field label="New folder to write into" value={folder} onInput={setFolder} />
              <button type="submit" disabled={action.busy}>
                Export
              </button>
            </form>
          </Section>
          <Section title="Import">
            <form onSubmit={importMail}>
              <Choice label="From" value={source} options={[['imap', 'another IMAP server'], ...FORMATS]} onChange={setSource} />
              {source === 'imap' ? (
                <>
                  <Field label="Server and user (imaps://user@host)" value={url} onInput={setUrl} />
                  <Field label="Password on that server" type="password" value={password} onInput={setPassword} />
                  <label>
                    <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.currentTarget.checked)} /> Accept its certificate unchecked (a
                    self-signed server you know)
                  </label>
                </>
              ) : (
                <Field label={source === 'maildir' ? 'Maildir folder' : 'mbox file'} value={path} onInput={setPath} />
              )}
              <button type="submit" disabled={action.busy}>
                Import
              </button>
            </form>
            <p>An import run again adds only what is missing.</p>
          </Section>
        </>
      )}
    </>
  );
}
