// Certificate: the one TLS certificate every listener presents, and a new self-signed one.
import { useState } from 'preact/hooks';
import type { CertificateInfo } from '../../../src/tls/manager.ts';
import { call } from '../api.ts';
import { ConfirmButton, ErrorText, Notice, Section, useAction, useLoad } from '../ui.tsx';

const load = () => call<CertificateInfo>('cert.show');

export function CertificateView() {
  const { data, error, reload } = useLoad(load);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const generate = () =>
    void action.run(async () => {
      const c = await call<CertificateInfo>('cert.generate', { force: data ? !data.selfSigned : false });
      setDone(`New certificate in use, SHA-256 ${c.fingerprint256}. Mail clients will ask to accept it again.`);
      reload();
    });
  return (
    <>
      <h2>Certificate</h2>
      <ErrorText error={error} />
      {data && (
        <Section title="In use">
          <dl>
            {(
              [
                ['Subject', data.subject.replace(/\n/g, ', ')],
                ['Names', data.altNames.join(', ')],
                ['Valid from', data.validFrom],
                ['Valid to', data.validTo],
                ['SHA-256', data.fingerprint256],
                ['Self-signed', data.selfSigned ? 'yes' : 'no (issued by a certificate authority)'],
                ['Files', `${data.certFile}, ${data.keyFile}`],
              ] as [string, string][]
            ).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </Section>
      )}
      <Section title="Replace">
        <p>A new self-signed certificate takes effect at once for new connections.</p>
        <ConfirmButton
          label="Generate a new self-signed certificate"
          confirm={data && !data.selfSigned ? 'Replace the CA-issued certificate with a self-signed one' : 'Generate it now'}
          onConfirm={generate}
          disabled={action.busy}
        />
        <ErrorText error={action.error} />
        <Notice text={done} />
      </Section>
    </>
  );
}
