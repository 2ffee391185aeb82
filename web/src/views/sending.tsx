// Sending out: straight to each recipient's server, or through a relay (a smarthost: the ISP's
// server, when port 25 is blocked or the address is on a residential block list). The relay's
// password is never shown back; leaving it empty keeps the stored one. A test message reports
// the remote server's answer or the exact error.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { SettingView } from '../../../src/api/commands/config.ts';
import type { ProbeReport } from '../../../src/queue/probe.ts';
import type { Relay } from '../../../src/queue/settings.ts';
import { call } from '../api.ts';
import { ErrorText, Field, Section, useAction, useLoad } from '../ui.tsx';

const KEY = 'outbound.smarthost';
const load = () => call<SettingView>('config.get', { key: KEY });

export function SendingView() {
  const { data, error, reload } = useLoad(load);
  // Kept here: the form starts again from the saved relay.
  const [notice, setNotice] = useState<ComponentChildren>(null);
  const saved = (text: ComponentChildren) => {
    setNotice(text);
    reload();
  };
  return (
    <>
      <h2>Sending out</h2>
      <ErrorText error={error} />
      {data && <Smarthost key={JSON.stringify(data.value)} relay={data.value as Relay | null} saved={saved} />}
      {notice && (
        <div role="status" class="notice">
          {notice}
        </div>
      )}
      <TestMessage />
    </>
  );
}

function Smarthost(p: { relay: Relay | null; saved: (notice: ComponentChildren) => void }) {
  const r = p.relay;
  const [mode, setMode] = useState<'direct' | 'relay'>(r ? 'relay' : 'direct');
  const [host, setHost] = useState(r?.host ?? '');
  const [port, setPort] = useState(r ? String(r.port) : '587');
  const [security, setSecurity] = useState<Relay['security']>(r?.security ?? 'starttls');
  const [user, setUser] = useState(r?.user ?? '');
  const [password, setPassword] = useState('');
  const [verify, setVerify] = useState(r?.verifyCertificate ?? true);
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    const value =
      mode === 'direct'
        ? null
        : {
            host,
            port: Number(port),
            security,
            verifyCertificate: verify,
            ...(user ? { user } : {}),
            ...(password ? { password } : user && user === r?.user ? {} : { password: null }),
          };
    if (await action.run(() => call('config.set', { key: KEY, value }))) {
      p.saved(
        <>
          <p>{mode === 'direct' ? 'Saved: mail goes straight to each recipient’s server.' : `Saved: mail goes out through ${host}.`}</p>
          <p>
            Your domain’s SPF record names the servers allowed to send its mail, so it changes with this choice: <a href="#setup/3">check the DNS records</a>{' '}
            again.
          </p>
        </>,
      );
    }
  };
  return (
    <Section title="How mail leaves">
      <p>
        Many home internet connections block port 25 or have addresses that other servers distrust. Then mail must go through your internet provider’s mail
        server (a relay, or “smarthost”): your provider names its host, port and the account to sign in with.
      </p>
      <form onSubmit={save} aria-label="How mail leaves">
        <fieldset>
          <legend>Deliver</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'direct'} onChange={() => setMode('direct')} /> straight to each recipient’s server
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'relay'} onChange={() => setMode('relay')} /> through a relay
          </label>
        </fieldset>
        {mode === 'relay' && (
          <>
            <Field label="Relay host" value={host} onInput={setHost} />
            <label class="field">
              <span>Security</span>
              <select value={security} onChange={(e) => setSecurity(e.currentTarget.value as Relay['security'])}>
                <option value="starttls">STARTTLS (usually port 587)</option>
                <option value="tls">TLS from the start (usually port 465)</option>
                <option value="none">none (port 25; no password can be sent)</option>
              </select>
            </label>
            <Field label="Port" value={port} onInput={setPort} />
            <Field label="User name (optional)" value={user} onInput={setUser} required={false} />
            <Field
              label={r?.password ? 'Password (empty keeps the saved one)' : 'Password'}
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={setPassword}
              required={false}
            />
            <label>
              <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.currentTarget.checked)} /> Check the relay’s certificate (turn off only for a
              relay whose certificate no authority issued)
            </label>
          </>
        )}
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </form>
      <ErrorText error={action.error} />
    </Section>
  );
}

function TestMessage() {
  const [to, setTo] = useState('');
  const [result, setResult] = useState<ProbeReport | null>(null);
  const action = useAction();
  const send = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    await action.run(async () => setResult(await call<ProbeReport>('smarthost.test', { to })));
  };
  return (
    <Section title="Send a test message">
      <p>Sends a short message now, the way your mail will leave, and shows what the other server answered.</p>
      <form onSubmit={send} aria-label="Send a test message">
        <Field label="Send to (an address somewhere else)" value={to} onInput={setTo} />
        <button type="submit" disabled={action.busy}>
          Send test message
        </button>
      </form>
      <ErrorText error={action.error} />
      {result && (
        <div role="status" class={result.ok ? 'notice' : 'error'}>
          <p>
            {result.ok ? `Accepted by ${result.host}` : `Not sent: ${result.error}`}
            {result.reply && (
              <>
                {' '}
                (the server answered <code>{`${result.reply.code} ${result.reply.status} ${result.reply.text}`}</code>)
              </>
            )}
          </p>
          <p>Through {result.via}.</p>
        </div>
      )}
    </Section>
  );
}
