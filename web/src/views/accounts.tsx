// Accounts: the domains this server receives mail for, their mail accounts, aliases, and who gets
// mail to postmaster.
import { useState } from 'preact/hooks';
import type { PostmasterSettings } from '../../../src/api/commands/postmaster.ts';
import type { AccountInfo, AliasRecord, DomainRecord } from '../../../src/store/index.ts';
import { formatBytes, parseBytes } from '../../../src/settings/units.ts';
import { call } from '../api.ts';
import { ConfirmButton, ErrorText, Field, Notice, Section, Table, useAction, useLoad } from '../ui.tsx';

type DomainRow = DomainRecord & { accounts: number; aliases: number };

const load = () =>
  Promise.all([
    call<DomainRow[]>('domain.list'),
    call<AccountInfo[]>('user.list'),
    call<AliasRecord[]>('alias.list'),
    call<PostmasterSettings>('postmaster.show'),
  ]);

export function AccountsView() {
  const { data, error, reload } = useLoad(load);
  return (
    <>
      <h2>Accounts</h2>
      <ErrorText error={error} />
      <Domains rows={data?.[0] ?? []} changed={reload} />
      <Accounts rows={data?.[1] ?? []} changed={reload} />
      <Aliases rows={data?.[2] ?? []} changed={reload} />
      {data && <Postmaster key={data[1].map((a) => a.address).join()} settings={data[3]} accounts={data[1]} changed={reload} />}
    </>
  );
}

function Domains(p: { rows: DomainRow[]; changed: () => void }) {
  const [domain, setDomain] = useState('');
  const action = useAction();
  const add = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => call('domain.add', { domain }))) setDomain('');
    p.changed();
  };
  const remove = (name: string) => void action.run(() => call('domain.del', { domain: name })).then(p.changed);
  return (
    <Section title="Domains">
      {p.rows.length === 0 ? (
        <p>No domains yet: add the domain whose mail this server receives.</p>
      ) : (
        <Table
          rows={p.rows}
          rowKey={(d) => d.name}
          columns={[
            { label: 'Domain', cell: (d) => d.name },
            { label: 'Accounts', cell: (d) => d.accounts },
            { label: 'Aliases', cell: (d) => d.aliases },
            {
              label: '',
              cell: (d) => (
                <ConfirmButton label={`Delete ${d.name}`} confirm={`Really delete ${d.name}`} onConfirm={() => remove(d.name)} disabled={action.busy} />
              ),
            },
          ]}
        />
      )}
      <form onSubmit={add} aria-label="Add a domain">
        <Field label="Domain" value={domain} onInput={setDomain} />
        <button type="submit" disabled={action.busy}>
          Add domain
        </button>
      </form>
      <ErrorText error={action.error} />
    </Section>
  );
}

export function Accounts(p: { rows: AccountInfo[]; changed: () => void }) {
  const [address, setAddress] = useState('');
  const [password, setPassword] = useState('');
  const [quota, setQuota] = useState('');
  const [quotaError, setQuotaError] = useState<string | null>(null);
  const action = useAction();
  const add = async (e: Event) => {
    e.preventDefault();
    const q = quota.trim() === '' ? undefined : parseBytes(quota);
    if (q === null) return setQuotaError('a quota is a size like 500M or 2G');
    setQuotaError(null);
    if (await action.run(() => call('user.add', { address, password, ...(q ? { quota: q } : {}) }))) {
      setAddress('');
      setPassword('');
      setQuota('');
    }
    p.changed();
  };
  const remove = (a: string) => void action.run(() => call('user.del', { address: a })).then(p.changed);
  return (
    <Section title="Mail accounts">
      {p.rows.length === 0 ? (
        <p>No accounts yet.</p>
      ) : (
        <Table
          rows={p.rows}
          rowKey={(a) => a.address}
          columns={[
            { label: 'Address', cell: (a) => a.address },
            { label: 'Used', cell: (a) => formatBytes(a.used) },
            { label: 'Quota', cell: (a) => (a.quota ? formatBytes(a.quota) : '-') },
            { label: 'State', cell: (a) => (a.disabled ? 'disabled' : 'active') },
            { label: 'APOP (POP3)', cell: (a) => <Apop account={a} changed={p.changed} /> },
            {
              label: '',
              cell: (a) => (
                <>
                  <NewPassword address={a.address} />
                  <NewQuota account={a} changed={p.changed} />
                  <ConfirmButton
                    label={`Delete ${a.address}`}
                    confirm={`Delete ${a.address} and all of its mail`}
                    onConfirm={() => remove(a.address)}
                    disabled={action.busy}
                  />
                </>
              ),
            },
          ]}
        />
      )}
      <form onSubmit={add} aria-label="Add an account">
        <Field label="Address" value={address} onInput={setAddress} />
        <Field label="Password" type="password" autoComplete="new-password" value={password} onInput={setPassword} />
        <Field label="Quota (optional, e.g. 2G)" value={quota} onInput={setQuota} required={false} />
        <button type="submit" disabled={action.busy}>
          Add account
        </button>
      </form>
      <ErrorText error={quotaError ?? action.error} />
    </Section>
  );
}

// A button that opens a one-field form in place; after a save it says what was done.
function InlineEdit(p: {
  open: string;
  done: string;
  label: string;
  submit: string;
  initial?: string;
  password?: boolean;
  save: (value: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(p.initial ?? '');
  const [done, setDone] = useState(false);
  const action = useAction();
  if (!open) {
    return (
      <button
        type="button"
        onClick={() => {
          setOpen(true);
          setDone(false);
        }}
      >
        {done ? p.done : p.open}
      </button>
    );
  }
  const save = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => p.save(value))) {
      if (p.password) setValue('');
      setOpen(false);
      setDone(true);
    }
  };
  return (
    <form onSubmit={save} class="inline">
      <Field
        label={p.label}
        type={p.password ? 'password' : 'text'}
        autoComplete={p.password ? 'new-password' : 'off'}
        value={value}
        onInput={setValue}
        required={!!p.password}
      />
      <button type="submit" disabled={action.busy}>
        {p.submit}
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorText error={action.error} />
    </form>
  );
}

function NewPassword(p: { address: string }) {
  return (
    <InlineEdit
      open={`Change password of ${p.address}`}
      done="Password changed"
      label={`New password for ${p.address}`}
      submit="Save password"
      password
      save={(password) => call('user.passwd', { address: p.address, password })}
    />
  );
}

function NewQuota(p: { account: AccountInfo; changed: () => void }) {
  const a = p.account;
  return (
    <InlineEdit
      open={`Quota of ${a.address}`}
      done={`Quota of ${a.address} saved`}
      label={`Quota for ${a.address} (like 2G; empty: none)`}
      submit="Save quota"
      initial={a.quota ? formatBytes(a.quota).replace(/ (\w)iB$/, '$1') : ''}
      save={async (quota) => {
        await call('user.quota', { address: a.address, quota: quota.trim() || 'none' });
        p.changed();
      }}
    />
  );
}

// RFC 1939 7: APOP logs in with a secret of its own (docs/pop3.md), shown once when made.
function Apop(p: { account: AccountInfo; changed: () => void }) {
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const make = () =>
    void action.run(async () => {
      const r = await call<{ secret: string | null }>('user.pop-secret', { address: p.account.address });
      setSecret(r.secret);
      p.changed();
    });
  const off = () =>
    void action
      .run(() => call('user.pop-secret', { address: p.account.address, off: true }))
      .then(() => {
        setSecret(null);
        p.changed();
      });
  return (
    <>
      {p.account.hasPopSecret ? 'on' : 'off'}{' '}
      <button type="button" disabled={action.busy} onClick={make}>
        {p.account.hasPopSecret ? `New APOP secret for ${p.account.address}` : `Turn on APOP for ${p.account.address}`}
      </button>
      {p.account.hasPopSecret && (
        <button type="button" disabled={action.busy} onClick={off}>
          Turn off APOP for {p.account.address}
        </button>
      )}
      {secret && (
        <p role="status" class="notice">
          APOP secret (shown this once; type it into the mail program as the password for APOP): <code>{secret}</code>
        </p>
      )}
      <ErrorText error={action.error} />
    </>
  );
}

function Aliases(p: { rows: AliasRecord[]; changed: () => void }) {
  const [address, setAddress] = useState('');
  const [targets, setTargets] = useState('');
  const action = useAction();
  const add = async (e: Event) => {
    e.preventDefault();
    const list = targets.split(/[\s,]+/).filter(Boolean);
    if (await action.run(() => call('alias.add', { address, targets: list }))) {
      setAddress('');
      setTargets('');
    }
    p.changed();
  };
  const remove = (a: string) => void action.run(() => call('alias.del', { address: a })).then(p.changed);
  return (
    <Section title="Aliases">
      {p.rows.length === 0 ? (
        <p>No aliases.</p>
      ) : (
        <Table
          rows={p.rows}
          rowKey={(a) => a.address}
          columns={[
            { label: 'Alias', cell: (a) => a.address },
            { label: 'Delivers to', cell: (a) => a.targets.join(', ') },
            {
              label: '',
              cell: (a) => (
                <ConfirmButton
                  label={`Delete alias ${a.address}`}
                  confirm={`Really delete alias ${a.address}`}
                  onConfirm={() => remove(a.address)}
                  disabled={action.busy}
                />
              ),
            },
          ]}
        />
      )}
      <form onSubmit={add} aria-label="Add an alias">
        <Field label="Alias address (or @domain for a catch-all)" value={address} onInput={setAddress} />
        <Field label="Delivers to (addresses, comma-separated)" value={targets} onInput={setTargets} />
        <button type="submit" disabled={action.busy}>
          Add alias
        </button>
      </form>
      <ErrorText error={action.error} />
    </Section>
  );
}

// RFC 5321 4.5.1: every domain takes mail to postmaster; without an account or alias of that name
// it goes to the account chosen here (postmaster.set, as `homepost postmaster set`).
function Postmaster(p: { settings: PostmasterSettings; accounts: AccountInfo[]; changed: () => void }) {
  const [address, setAddress] = useState(p.settings.account ?? '');
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (await action.run(() => call('postmaster.set', { address }))) {
      setNotice(`Saved: mail to postmaster goes to ${address}.`);
      p.changed();
    }
  };
  return (
    <Section title="Postmaster">
      {p.accounts.length === 0 ? (
        <p>Mail to postmaster goes to the first account once there is one.</p>
      ) : (
        <form onSubmit={save}>
          <label class="field">
            <span>Mail to postmaster goes to</span>
            <select value={address} onChange={(e) => setAddress(e.currentTarget.value)}>
              {p.accounts.map((a) => (
                <option key={a.address} value={a.address}>
                  {a.address}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.busy}>
            Save postmaster
          </button>
        </form>
      )}
      <p>An account or alias named postmaster@ a domain gets that domain's postmaster mail itself.</p>
      <ErrorText error={action.error} />
      <Notice text={notice} />
    </Section>
  );
}
