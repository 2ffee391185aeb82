// Certificate: the one TLS certificate every listener presents, in plain words, and the three ways
// to get one: made here (self-signed, follows the names by itself), from Let's Encrypt (ACME,
// renewed by itself), or uploaded.
import { useEffect, useState } from 'preact/hooks';
import type { CertStatus } from '../../../src/api/commands/cert.ts';
import { call } from '../api.ts';
import { ConfirmButton, ErrorText, Field, Notice, Section, useAction, useLoad } from '../ui.tsx';

const load = () => call<CertStatus>('cert.status');

const STEP_WORDS: Record<string, string> = {
  account: 'registering with the certificate authority',
  order: 'ordering the certificate',
  validation: 'the authority is checking that this server answers for the name (on port 80)',
  finalize: 'the authority is issuing the certificate',
  install: 'installing the certificate',
};

export function CertificateView() {
  const { data, error, reload } = useLoad(load);
  // While an order runs, its progress is fetched again every 2 s.
  useEffect(() => {
    if (!data?.acme?.step) return;
    const t = setTimeout(reload, 2000);
    return () => clearTimeout(t);
  }, [data]);
  return (
    <>
      <h2>Certificate</h2>
      <ErrorText error={error} />
      {data && <InUse s={data} />}
      {data && <LetsEncrypt s={data} changed={reload} />}
      {data && <Upload changed={reload} />}
      {data && <SelfSigned s={data} changed={reload} />}
    </>
  );
}

function InUse(p: { s: CertStatus }) {
  const c = p.s.certificate;
  const from = { 'self-signed': 'made by this server (self-signed)', acme: 'an ACME authority (Let’s Encrypt), renewed by itself', uploaded: 'uploaded' }[
    p.s.source
  ];
  return (
    <Section title="In use">
      {c.selfSigned ? (
        <p>
          This certificate was made by the server itself. Mail clients and browsers cannot check it against an authority, so the first time they connect they
          warn and ask whether to trust it. Trust it only when the fingerprint below is the one they show: then nobody sits between you and your server.
        </p>
      ) : (
        <p>This certificate was issued by {c.issuer.replace(/\n/g, ', ')}; mail clients accept it without asking.</p>
      )}
      {!p.s.coversHostname && <p class="error">It does not name the server’s name {p.s.hostname}: clients connecting by that name will warn.</p>}
      <dl>
        {(
          [
            ['Comes from', from],
            ['Names', c.altNames.join(', ')],
            ['Valid from', c.validFrom],
            ['Valid to', c.validTo],
            ['Fingerprint (SHA-256)', c.fingerprint256],
          ] as [string, string][]
        ).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

function LetsEncrypt(p: { s: CertStatus; changed: () => void }) {
  const a = p.s.acme;
  const [email, setEmail] = useState(a?.email ?? '');
  const action = useAction();
  const request = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => call('cert.acme', email ? { email } : {}))) p.changed();
  };
  return (
    <Section title="Let’s Encrypt">
      <p>
        A free certificate that every client trusts, renewed by itself. The authority checks that {p.s.hostname} reaches this device on port 80: the name must
        point to your public address (step 3) and your router must forward port 80 to this device.
      </p>
      {a && (a.step || a.lastAttempt || a.nextAttempt) && (
        <dl aria-label="Let’s Encrypt progress">
          {a.step && (
            <div>
              <dt>Now</dt>
              <dd>{STEP_WORDS[a.step] ?? a.step}…</dd>
            </div>
          )}
          {a.lastAttempt && (
            <div>
              <dt>Last attempt</dt>
              <dd>
                {new Date(a.lastAttempt.at).toLocaleString()}: {a.lastAttempt.ok ? 'certificate received' : `failed: ${a.lastAttempt.error}`}
              </dd>
            </div>
          )}
          {a.nextAttempt && (
            <div>
              <dt>{a.lastAttempt && !a.lastAttempt.ok ? 'Next try' : 'Renewal'}</dt>
              <dd>{new Date(a.nextAttempt).toLocaleString()}</dd>
            </div>
          )}
        </dl>
      )}
      <form onSubmit={request} aria-label="Get a certificate from Let’s Encrypt">
        <Field label="Email for expiry notices (optional)" value={email} onInput={setEmail} required={false} />
        <button type="submit" disabled={action.busy || !!a?.step}>
          {p.s.source === 'acme' ? 'Renew now' : 'Get a certificate'}
        </button>
      </form>
      <ErrorText error={action.error} />
    </Section>
  );
}

// PEM text, pasted or read from files the user picks.
function PemInput(p: { label: string; value: string; onInput: (v: string) => void }) {
  const pick = async (e: { currentTarget: HTMLInputElement }) => {
    const file = e.currentTarget.files?.[0];
    if (file) p.onInput(await file.text());
  };
  return (
    <>
      <label class="field">
        <span>{p.label}</span>
        <textarea rows={4} value={p.value} onInput={(e) => p.onInput(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{p.label}: from a file</span>
        <input type="file" accept=".pem,.crt,.key,text/plain" onChange={pick} />
      </label>
    </>
  );
}

function Upload(p: { changed: () => void }) {
  const [certificate, setCertificate] = useState('');
  const [key, setKey] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const upload = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (await action.run(() => call('cert.upload', { certificate, key }))) {
      setCertificate('');
      setKey('');
      setNotice('Certificate installed: new connections use it now.');
      p.changed();
    }
  };
  return (
    <Section title="Upload a certificate">
      <p>A certificate you already have for the server’s name: the certificate first, then the authority’s intermediate ones; and its key.</p>
      <form onSubmit={upload} aria-label="Upload a certificate">
        <PemInput label="Certificate chain (PEM)" value={certificate} onInput={setCertificate} />
        <PemInput label="Private key (PEM)" value={key} onInput={setKey} />
        <button type="submit" disabled={action.busy}>
          Upload and use
        </button>
      </form>
      <ErrorText error={action.error} />
      <Notice text={notice} />
    </Section>
  );
}

function SelfSigned(p: { s: CertStatus; changed: () => void }) {
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const generate = () =>
    void action.run(async () => {
      const c = await call<CertStatus['certificate']>('cert.generate', { force: !p.s.certificate.selfSigned });
      setDone(`New certificate in use, SHA-256 ${c.fingerprint256}. Mail clients will ask to accept it again.`);
      p.changed();
    });
  return (
    <Section title="Self-signed">
      <p>Made here, at once, without the internet; it follows the server’s name and domains by itself. Enough at home when every device trusts it once.</p>
      <ConfirmButton
        label={p.s.source === 'self-signed' ? 'Make a new self-signed certificate' : 'Go back to a self-signed certificate'}
        confirm="Make it now (clients ask to trust it again)"
        onConfirm={generate}
        disabled={action.busy}
      />
      <ErrorText error={action.error} />
      <Notice text={done} />
    </Section>
  );
}
