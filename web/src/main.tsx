// The setup page: first boot asks for the setup code and a new admin password, then a login,
// then the sections of the admin (docs/admin.md). No router: the section is the URL's #fragment.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, getSession, logout, message, whenSessionEnds, type SessionState } from './api.ts';
import { ErrorText } from './ui.tsx';
import { AccountsView } from './views/accounts.tsx';
import { BackupsView } from './views/backups.tsx';
import { CertificateView } from './views/certificate.tsx';
import { LoginView, SetupView } from './views/entry.tsx';
import { JunkView } from './views/junk.tsx';
import { QueueView } from './views/queue.tsx';
import { RelayView } from './views/relay.tsx';
import { SendingView } from './views/sending.tsx';
import { SettingsView } from './views/settings.tsx';
import { SetupWizard, stepFromHash } from './views/setup/wizard.tsx';
import { StatusView } from './views/status.tsx';
import { TransferView } from './views/transfer.tsx';
import { UpdatesView } from './views/updates.tsx';

const SECTIONS = [
  { id: 'status', title: 'Status', view: StatusView },
  { id: 'setup', title: 'Setup', view: () => <SetupWizard step={stepFromHash(location.hash)} /> },
  { id: 'accounts', title: 'Accounts', view: AccountsView },
  { id: 'sending', title: 'Sending', view: SendingView },
  { id: 'relay', title: 'Who may send', view: RelayView },
  { id: 'certificate', title: 'Certificate', view: CertificateView },
  { id: 'queue', title: 'Queue', view: QueueView },
  { id: 'junk', title: 'Junk', view: JunkView },
  { id: 'backups', title: 'Backups', view: BackupsView },
  { id: 'transfer', title: 'Move mail', view: TransferView },
  { id: 'updates', title: 'Updates', view: UpdatesView },
  { id: 'settings', title: 'Settings', view: SettingsView },
] as const;

const SESSION_RETRY_MS = 3000;

const sectionOf = (hash: string) => SECTIONS.find((s) => hash === `#${s.id}` || hash.startsWith(`#${s.id}/`)) ?? SECTIONS[0];

function App() {
  const [session, setSession] = useState<SessionState | null>(null);
  const [error, setError] = useState<string | null>(null);
  // While homepost does not answer (starting, restarting after an update), asked again every few
  // seconds; the page shows why it waits.
  const refresh = (): Promise<void> =>
    getSession().then(
      (s) => {
        setError(null);
        setSession(s);
      },
      (e: unknown) => {
        const again = e instanceof ApiFailure && e.code === 'network';
        setError(again ? `${message(e)} Trying again…` : message(e));
        if (again) setTimeout(refresh, SESSION_RETRY_MS);
      },
    );
  useEffect(() => {
    void refresh();
    whenSessionEnds(() => setSession({ adminExists: true, loggedIn: false }));
  }, []);
  if (!session) return <main>{error ? <ErrorText error={error} /> : <p>Loading…</p>}</main>;
  // After the setup code, the wizard's first step.
  if (!session.adminExists) {
    return (
      <SetupView
        onDone={() => {
          location.hash = '#setup/1';
          refresh();
        }}
      />
    );
  }
  if (!session.loggedIn) return <LoginView onDone={refresh} />;
  return <Admin onLogout={() => logout().finally(refresh)} />;
}

function Admin(p: { onLogout: () => void }) {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  const current = sectionOf(hash);
  const View = current.view;
  return (
    <>
      <header>
        <h1>homepost</h1>
        <nav aria-label="Sections">
          {SECTIONS.map((s) => (
            <a key={s.id} href={`#${s.id}`} aria-current={s === current ? 'page' : undefined}>
              {s.title}
            </a>
          ))}
        </nav>
        <button type="button" onClick={p.onLogout}>
          Log out
        </button>
      </header>
      <main>
        <View key={hash} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
