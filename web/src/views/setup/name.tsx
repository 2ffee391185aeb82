// Step 1: the mail domain (addresses end in @domain) and the server's name (mail.<domain> unless
// the user knows better). Both can be changed later; the certificate follows them.
import { useState } from 'preact/hooks';
import type { SettingView } from '../../../../src/api/commands/config.ts';
import type { DomainRecord } from '../../../../src/store/index.ts';
import { call } from '../../api.ts';
import { ErrorText, Field, Notice, Section, useAction, useLoad } from '../../ui.tsx';

const load = () => Promise.all([call<DomainRecord[]>('domain.list'), call<SettingView>('config.get', { key: 'server.hostname' })]);

export function NameStep() {
  const { data, error, reload } = useLoad(load);
  // Kept here: the form starts again from the saved values.
  const [notice, setNotice] = useState<string | null>(null);
  const saved = (text: string) => {
    setNotice(text);
    reload();
  };
  return (
    <>
      <h2>Name and domain</h2>
      <ErrorText error={error} />
      {data && (
        <NameForm
          key={JSON.stringify(data)}
          domains={data[0].map((d) => d.name)}
          hostname={data[1].isDefault ? null : (data[1].value as string)}
          saved={saved}
        />
      )}
      <Notice text={notice} />
    </>
  );
}

function NameForm(p: { domains: string[]; hostname: string | null; saved: (notice: string) => void }) {
  const [domain, setDomain] = useState(p.domains[0] ?? '');
  const [hostname, setHostname] = useState(p.hostname ?? '');
  const action = useAction();
  const name = hostname.trim() || (domain.trim() ? `mail.${domain.trim().toLowerCase()}` : '');
  const save = async (e: Event) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      if (!p.domains.includes(domain.trim().toLowerCase())) await call('domain.add', { domain: domain.trim() });
      await call('config.set', { key: 'server.hostname', value: name });
    });
    if (ok) p.saved(`Saved: mail for @${domain.trim().toLowerCase()} is received here, and this server is called ${name}.`);
  };
  return (
    <Section title="Your mail domain and the server's name">
      <p>
        The <strong>mail domain</strong> is the part after @ in your addresses (example.org for anna@example.org). You need to own it: you will add a few
        records at the company where you registered it (step 3).
      </p>
      <p>
        The <strong>server name</strong> is the name of this device on the internet, usually <code>mail.</code> and your domain. Other mail servers look up the
        name that belongs to your internet address (its reverse DNS) and distrust a server whose name does not match: ask your internet provider to set the
        reverse DNS of your address to this name.
      </p>
      <form onSubmit={save} aria-label="Name and domain">
        <Field label="Mail domain" value={domain} onInput={setDomain} />
        <Field
          label={`Server name (empty: ${domain.trim() ? `mail.${domain.trim().toLowerCase()}` : 'mail.<domain>'})`}
          value={hostname}
          onInput={setHostname}
          required={false}
        />
        <button type="submit" disabled={action.busy}>
          Save name and domain
        </button>
      </form>
      {p.domains.length > 1 && <p>Other domains of this server: {p.domains.slice(1).join(', ')} (Accounts lists them all).</p>}
      <ErrorText error={action.error} />
    </Section>
  );
}
