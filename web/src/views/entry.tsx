// Before the admin: first boot (setup code + new admin password) and the login.
import { useState } from 'preact/hooks';
import { login, MIN_ADMIN_PASSWORD, setup } from '../api.ts';
import { ErrorText, Field, useAction } from '../ui.tsx';

export function SetupView(p: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== repeat) return setMismatch('the two passwords differ');
    setMismatch(null);
    if (await action.run(() => setup(code, password))) p.onDone();
  };
  return (
    <main class="entry">
      <h1>Set up homepost</h1>
      <p>
        Enter the setup code shown on the device's screen and in the homepost log (the <code>admin.setup_code</code> line), and choose the admin password for
        this page (at least {MIN_ADMIN_PASSWORD} characters).
      </p>
      <form onSubmit={submit}>
        <Field label="Setup code" value={code} onInput={setCode} />
        <Field label="New admin password" type="password" autoComplete="new-password" minLength={MIN_ADMIN_PASSWORD} value={password} onInput={setPassword} />
        <Field label="Repeat the password" type="password" autoComplete="new-password" minLength={MIN_ADMIN_PASSWORD} value={repeat} onInput={setRepeat} />
        <button type="submit" disabled={action.busy}>
          Set up
        </button>
        <ErrorText error={mismatch ?? action.error} />
      </form>
    </main>
  );
}

export function LoginView(p: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => login(password))) p.onDone();
  };
  return (
    <main class="entry">
      <h1>homepost</h1>
      <form onSubmit={submit}>
        <Field label="Admin password" type="password" autoComplete="current-password" value={password} onInput={setPassword} />
        <button type="submit" disabled={action.busy}>
          Log in
        </button>
        <ErrorText error={action.error} />
      </form>
    </main>
  );
}
