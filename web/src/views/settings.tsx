// Settings: the admin password, and every setting of the registry (src/api/registry.ts) as
// `homepost config` shows them, each changed through the one API method config.set.
import { useState } from 'preact/hooks';
import type { SettingView } from '../../../src/api/commands/config.ts';
import { call, changePassword, MIN_ADMIN_PASSWORD } from '../api.ts';
import { ErrorText, Field, Notice, Section, useAction, useLoad } from '../ui.tsx';

const load = () => call<SettingView[]>('config.list');

export function SettingsView() {
  const { data, error, reload } = useLoad(load);
  const groups = new Map<string, SettingView[]>();
  for (const s of data ?? []) {
    const g = s.key.slice(0, s.key.indexOf('.'));
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return (
    <>
      <h2>Settings</h2>
      <AdminPassword />
      <ErrorText error={error} />
      <Section title="All settings">
        <p>
          Each setting as <code>homepost config</code> shows it. Most apply to the next connection; those marked “after a restart” apply when homepost starts
          again.
        </p>
        {[...groups].map(([g, list]) => (
          <details key={g}>
            <summary>{g}</summary>
            {list.map((s) => (
              <SettingRow key={s.key} setting={s} saved={reload} />
            ))}
          </details>
        ))}
      </Section>
    </>
  );
}

export function SettingRow(p: { setting: SettingView; saved: () => void }) {
  const s = p.setting;
  const [text, setText] = useState('');
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => call('config.set', { key: s.key, text }))) {
      setText('');
      p.saved();
    }
  };
  return (
    <form onSubmit={save} class="setting" aria-label={s.key}>
      <div>
        <code>{s.key}</code> = <strong>{s.text}</strong>
        {s.isDefault ? ' (default)' : ''}
        {s.restart ? ', applies after a restart' : ''}
        <br />
        <small>
          {s.description}. Must be {s.rule}; default {s.defaultText}.
        </small>
      </div>
      <Field label={`New value for ${s.key}`} value={text} onInput={setText} />
      <button type="submit" disabled={action.busy}>
        Save
      </button>
      {!s.isDefault && (
        <button type="button" disabled={action.busy} onClick={() => void action.run(() => call('config.reset', { key: s.key })).then(p.saved)}>
          Back to default
        </button>
      )}
      <ErrorText error={action.error} />
    </form>
  );
}

function AdminPassword() {
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (next !== repeat) return setMismatch('the two new passwords differ');
    setMismatch(null);
    if (await action.run(() => changePassword(old, next))) {
      setOld('');
      setNext('');
      setRepeat('');
      setNotice('Admin password changed. Other browsers logged in to this page were logged out.');
    }
  };
  return (
    <Section title="Admin password">
      <form onSubmit={submit} aria-label="Change the admin password">
        <Field label="Current admin password" type="password" autoComplete="current-password" value={old} onInput={setOld} />
        <Field label="New admin password" type="password" autoComplete="new-password" minLength={MIN_ADMIN_PASSWORD} value={next} onInput={setNext} />
        <Field label="Repeat the new password" type="password" autoComplete="new-password" minLength={MIN_ADMIN_PASSWORD} value={repeat} onInput={setRepeat} />
        <button type="submit" disabled={action.busy}>
          Change password
        </button>
      </form>
      <ErrorText error={mismatch ?? action.error} />
      <Notice text={notice} />
    </Section>
  );
}
