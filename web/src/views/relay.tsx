// Relay restrictions: who may send mail through this server to other domains without logging in
// (design.md, security model: no open relay, ever).
import { useState } from 'preact/hooks';
import type { RelaySettings } from '../../../src/control/commands/relay.ts';
import { call } from '../api.ts';
import { ErrorText, Notice, Section, useAction, useLoad } from '../ui.tsx';

const load = () => call<RelaySettings>('relay.show');

export function RelayView() {
  const { data, error, reload } = useLoad(load);
  return (
    <>
      <h2>Relay restrictions</h2>
      <ErrorText error={error} />
      <p>
        Mail to other domains is relayed only for clients that log in on the submission ports, and for the trusted networks below. Everyone
        else may only deliver to this server's own addresses.
      </p>
      {data && (
        <Section title="Rules, in order">
          <ol>
            {data.relayRules.map((r) => (
              <li key={r}>
                <code>{r}</code>
              </li>
            ))}
          </ol>
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
