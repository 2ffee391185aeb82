// The largest message homepost takes, from anyone, by any protocol: SMTP's SIZE (RFC 1870) and
// IMAP's APPENDLIMIT (RFC 7889) read the same setting.
import { bytes, readSetting, type SettingsSource } from '../settings/define.ts';

// 25 MiB, as the large mail services accept; one fits the memory budget for messages in flight
// (budget.ts) with room for many small ones. A message larger than the budget could never arrive.
export const MAX_MESSAGE_SIZE = bytes({
  key: 'smtp.maxMessageSize',
  default: 25 * 1024 * 1024,
  min: 1024,
  max: 256 * 1024 * 1024,
  description: 'the largest message taken by SMTP (SIZE) and IMAP APPEND (APPENDLIMIT); keep it below memory.messageBudget',
});

export function maxMessageSize(settings: SettingsSource): number {
  return readSetting(settings, MAX_MESSAGE_SIZE);
}
