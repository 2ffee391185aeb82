// Status: the daemon (the API's "status" method, as `homepost status` shows it) and the device.
import type { SystemInfo } from '../../../src/admin/system.ts';
import type { BackupList } from '../../../src/api/commands/backup.ts';
import type { StatusResult } from '../../../src/api/commands/status.ts';
import { duration } from '../../../src/api/text.ts';
import { formatBytes } from '../../../src/settings/units.ts';
import { call, getSystem } from '../api.ts';
import { BackupWarning } from './backups.tsx';
import { Checklist } from './setup/checklist.tsx';
import { ErrorText, Section, Table, useLoad, when } from '../ui.tsx';

const load = () => Promise.all([call<StatusResult>('status'), getSystem(), call<BackupList>('backup.list')]);

function Rows(p: { rows: [string, string][] }) {
  return (
    <dl>
      {p.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function StatusView() {
  const { data, error, reload } = useLoad(load);
  return (
    <>
      <h2>Status</h2>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <ErrorText error={error} />
      <Checklist />
      {data?.[0].warnings.map((w) => (
        <ErrorText key={w} error={w} />
      ))}
      {data && <BackupWarning list={data[2]} />}
      {data && <Daemon s={data[0]} last={data[2].last} />}
      {data && <Device d={data[1]} />}
    </>
  );
}

function Daemon(p: { s: StatusResult; last: BackupList['last'] }) {
  const { s } = p;
  const d = s.daemon;
  return (
    <Section title="homepost">
      <Rows
        rows={[
          ['Version', `${s.version} (node ${s.runtime.node}, ${s.runtime.arch}${s.runtime.executable ? ', single executable' : ''})`],
          ['Running', d ? `since ${when(d.startedAt)} (${duration(d.uptimeSeconds)}), pid ${d.pid}${d.dev ? ', development' : ''}` : 'no'],
          ['Host name', d?.hostname ?? '-'],
          ['Data folder', s.dataDir],
          ['Store', `${formatBytes(s.store.bytes)}: ${s.store.domains} domains, ${s.store.accounts} accounts, ${s.store.aliases} aliases`],
          ['Messages', `${s.store.messages} (${formatBytes(s.store.messageBytes)})`],
          ['Last good backup', p.last ? `${when(p.last.at)}: ${p.last.file}` : 'none yet'],
        ]}
      />
      {d && (
        <Table
          caption="Listeners"
          rows={d.listeners}
          rowKey={(l) => l.name}
          columns={[
            { label: 'Service', cell: (l) => l.name },
            { label: 'Address', cell: (l) => (l.port ? `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}` : l.host) },
          ]}
        />
      )}
    </Section>
  );
}

function Device(p: { d: SystemInfo }) {
  const { d } = p;
  const unknown = 'not available';
  return (
    <Section title="Device">
      <Rows
        rows={[
          ['System', d.os ? `${d.os.distro} ${d.os.release}, kernel ${d.os.kernel} (${d.os.arch})` : unknown],
          ['Up', duration(d.uptimeSeconds)],
          ['CPU temperature', d.cpu.temperatureC === null ? unknown : `${d.cpu.temperatureC.toFixed(1)} °C`],
          [
            'CPU load',
            `${d.cpu.loadPercent === null ? unknown : `${d.cpu.loadPercent}%`} of ${d.cpu.cores} cores; load average ${d.cpu.loadAverage.join(', ')}`,
          ],
          ['Memory', d.memory ? `${formatBytes(d.memory.available)} available of ${formatBytes(d.memory.total)}` : unknown],
          ['Swap', d.memory ? (d.memory.swapTotal ? `${formatBytes(d.memory.swapUsed)} used of ${formatBytes(d.memory.swapTotal)}` : 'none') : unknown],
          ['Data disk', d.disk ? `${formatBytes(d.disk.available)} free of ${formatBytes(d.disk.total)} (${d.disk.path})` : unknown],
          ['homepost memory', `${formatBytes(d.process.rss)} resident`],
        ]}
      />
    </Section>
  );
}
