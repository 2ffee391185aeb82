// Step 5: the accounts, then for each what a person types into a phone or Thunderbird (the server
// name, ports and security, the full address as user name), the automatic ways a mail program
// finds them (Thunderbird's autoconfig, Outlook's autodiscover), and an Apple profile to download.
import type { AccountInfo } from '../../../../src/store/index.ts';
import type { ClientSettings } from '../../../../src/api/client-settings.ts';
import type { Endpoint } from '../../../../src/autoconfig/endpoints.ts';
import { call } from '../../api.ts';
import { ErrorText, Section, useLoad } from '../../ui.tsx';
import { Accounts } from '../accounts.tsx';

const loadAccounts = () => call<AccountInfo[]>('user.list');

export function DevicesStep() {
  const { data, error, reload } = useLoad(loadAccounts);
  return (
    <>
      <h2>Accounts and devices</h2>
      <p>One account per person; its address is the user name in every mail program, with the password you choose here.</p>
      <ErrorText error={error} />
      <Accounts rows={data ?? []} changed={reload} />
      {data?.map((a) => (
        <DeviceSettings key={a.address} address={a.address} />
      ))}
    </>
  );
}

const SECURITY = { tls: 'SSL/TLS', starttls: 'STARTTLS' } as const;
const PROTOCOL = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP' } as const;

function way(e: Endpoint): string {
  return `${PROTOCOL[e.protocol]}, port ${e.port}, ${SECURITY[e.security]}`;
}

function DeviceSettings(p: { address: string }) {
  const { data, error } = useLoad(() => call<ClientSettings>('client.settings', { address: p.address }));
  const domain = p.address.slice(p.address.lastIndexOf('@') + 1);
  return (
    <Section title={`Mail programs for ${p.address}`}>
      <ErrorText error={error} />
      {data && (
        <>
          <dl>
            <div>
              <dt>Server (incoming and outgoing)</dt>
              <dd>
                <code>{data.hostname}</code>
              </dd>
            </div>
            <div>
              <dt>Incoming</dt>
              <dd>{data.incoming.map(way).join('; or ')}</dd>
            </div>
            <div>
              <dt>Outgoing</dt>
              <dd>{data.outgoing.map(way).join('; or ')}</dd>
            </div>
            <div>
              <dt>User name</dt>
              <dd>
                <code>{data.username}</code>
              </dd>
            </div>
            <div>
              <dt>Password</dt>
              <dd>the account’s password, “normal password” in Thunderbird</dd>
            </div>
          </dl>
          <p>
            Thunderbird and Outlook find these settings by themselves once <code>autoconfig.{domain}</code> and <code>autodiscover.{domain}</code> point to this
            server (step 3). On an iPhone, iPad or Mac:{' '}
            <a href={`/api/mobileconfig?address=${encodeURIComponent(p.address)}`} download>
              download the profile for {p.address}
            </a>{' '}
            and open it; it asks for the password.
          </p>
        </>
      )}
    </Section>
  );
}
