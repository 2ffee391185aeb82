// Step 3: the DNS records each domain needs, exactly as the DNS provider's form takes them, with
// copy buttons, and each one checked live through the resolver (dns.check): found, missing, or
// different (with what was found).
import { useState } from 'preact/hooks';
import type { CheckedRecord } from '../../../../src/dns-records/check.ts';
import type { DomainCheck } from '../../../../src/dns-records/records.ts';
import type { DomainRecord } from '../../../../src/store/index.ts';
import { call } from '../../api.ts';
import { ErrorText, Section, Table, useLoad } from '../../ui.tsx';

const load = async () => {
  const domains = await call<DomainRecord[]>('domain.list');
  return Promise.all(domains.map((d) => call<DomainCheck>('dns.check', { domain: d.name })));
};

const STATUS_WORDS: Record<CheckedRecord['status'], string> = { found: 'found', missing: 'missing', different: 'different', error: 'could not check' };

export function DnsStep() {
  const { data, error, reload } = useLoad(load);
  return (
    <>
      <h2>DNS records</h2>
      <p>
        Mail servers and mail programs find your server through DNS. Sign in at the company where you registered your domain, open its DNS settings, and add
        each record below exactly as shown. Changes can take from minutes to a few hours to show; check again later.
      </p>
      <ErrorText error={error} />
      {data && data.length === 0 && (
        <p>
          No domain yet: <a href="#setup/1">add one first</a>.
        </p>
      )}
      {data?.map((d) => (
        <DomainRecords key={d.domain} check={d} />
      ))}
      <button type="button" onClick={reload}>
        Check again
      </button>
    </>
  );
}

function Copy(p: { text: string; what: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(p.text);
    setDone(true);
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={`Copy ${p.what}`}>
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}

function value(r: CheckedRecord): string {
  if (r.type === 'MX') return `${r.priority} ${r.value}`;
  if (r.type === 'SRV') return `${r.priority} ${r.weight} ${r.port} ${r.value}`;
  return r.value ?? '(your public address)';
}

function Verdict(p: { r: CheckedRecord }) {
  const r = p.r;
  const word = r.status === 'missing' && r.optional ? 'missing (optional)' : STATUS_WORDS[r.status];
  return (
    <span class={`verdict ${r.status === 'found' ? 'done' : r.optional ? '' : 'todo'}`}>
      {word}
      {r.status === 'different' && r.found.length > 0 && <>: found {r.found.join(', ')}</>}
      {r.status === 'error' && r.error && <>: {r.error}</>}
      {r.note && <> ({r.note})</>}
    </span>
  );
}

function DomainRecords(p: { check: DomainCheck }) {
  const c = p.check;
  const records = c.records.filter((r) => r.kind === 'record');
  const advice = c.records.filter((r) => r.kind === 'advice');
  return (
    <Section title={`Records for ${c.domain}`}>
      {c.hostNote && <p class="error">{c.hostNote}</p>}
      <Table
        rows={records}
        rowKey={(r) => `${r.type} ${r.name} ${r.value}`}
        columns={[
          { label: 'Name', cell: (r) => <code>{r.name}</code> },
          { label: 'Type', cell: (r) => r.type },
          {
            label: 'Value',
            cell: (r) => (
              <>
                <code class="value">{value(r)}</code> {r.value && <Copy text={value(r)} what={`${r.type} value of ${r.name}`} />}
              </>
            ),
          },
          { label: 'What it is for', cell: (r) => r.purpose },
          { label: 'Check', cell: (r) => <Verdict r={r} /> },
        ]}
      />
      {advice.map((r) => (
        <p key={`${r.name}`}>
          <strong>Reverse DNS</strong>: {r.purpose} <Verdict r={r} />
        </p>
      ))}
      <details>
        <summary>All records as a zone file</summary>
        <pre>{c.zone}</pre>
        <Copy text={c.zone} what={`all records of ${c.domain}`} />
      </details>
    </Section>
  );
}
