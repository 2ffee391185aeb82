// Whether the system clock has been set. A Raspberry Pi has no battery clock: until
// systemd-timesyncd reaches an NTP server it runs from the image's build time or the time saved at
// the last shutdown. timesyncd marks the first synchronisation by creating
// /run/systemd/timesync/synchronized (systemd-timesyncd.service(8)); a machine without timesyncd
// (a development machine, another time daemon) is trusted to have its clock right.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const TIMESYNC_DIR = '/run/systemd/timesync';

export function clockSynchronized(dir: string = TIMESYNC_DIR): boolean {
  return !existsSync(dir) || existsSync(path.join(dir, 'synchronized'));
}
