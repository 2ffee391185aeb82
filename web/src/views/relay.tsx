// Who may send through this server, in a home user's words (never an open relay): signed-in
// users, the trusted networks, and anyone for mail to our own domains; the rule names as detail.
import { useState } from 'preact/hooks';
import type { RelaySettings } from '../../../src/api/commands/relay.ts';
import { call } from '../api.ts';
import { ErrorText, Notice, Section, useAction, useLoad } from '../ui.tsx';

const load = () => call<RelaySettings>('relay.show');

// What each relay rule means (src/smtpserver/policy).
const RULE_WORDS: Record<string, string> = {
  authenticated: 'people who sign in with their account and password may send to anyone',
  'trusted-network': 'devices on the trusted networks below may send to anyone without signing in',
  'local-recipient': 'anyone on the internet may send mail to the addresses of this server',
  deny: 'everything else is refused',
};

export function RelayView() {
  const { data, error, reload } = useLoad(load);
  return (
    <>
      <h2>Who may send mail</h2>
      <ErrorText error={error} />
      {data && (
        <Section title="Who may send through this server">
          <ol>
            {data.relayRules.map((r) => (
              <li key={r}>
                {RULE_WORDS[r] ?? r}{' '}
                <small>
                  (rule <code>{r}</code>)
                </small>
              </li>
            ))}
          </ol>
          <p>
            The first rule that fits a recipient decides. Mail clients send on the submission ports (587 and 465) after signing in; other servers deliver mail
            for your domains on port 25.
          </p>
        </Section>
      )}
      {data && <TrustedNetworks settings={data} saved={reload} />}
    </>
  );
}

// Shown once the settings are in, starting from them.
function TrustedNetworks(p: { settings: RelaySettings; saved: () => void }) {
  const [text, setText] = useState(p.settings.trustedNetworks.join('\n'));
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    const trustedNetworks = text.split(/[\s,]+/).filter(Boolean);
    if (await action.run(() => call('relay.set', { trustedNetworks }))) {
      setNotice('Saved: the next SMTP session uses these networks.');
      p.saved();
    }
  };
  const s = p.settings;
  return (
    <Section title="Trusted networks">
      <p>
        Devices that cannot sign in (a printer or scanner that sends mail) can be trusted by their network. Trust only your own home network, never the
        internet.
      </p>
      {!s.trustedNetworksSet && <p>Not set: the default applies ({s.trustedNetworks.length ? s.trustedNetworks.join(', ') : 'none'}).</p>}
      <form onSubmit={save}>
        <label class="field">
          <span>Trusted networks (one per line, like 192.168.1.0/24; empty trusts none)</span>
          <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Save trusted networks
        </button>
      </form>
      <ErrorText error={action.error} />
      <Notice text={notice} />
    </Section>
  );
}
