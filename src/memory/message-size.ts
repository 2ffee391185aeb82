// The largest message homepost takes, from anyone, by any protocol: SMTP's SIZE (RFC 1870) and
// IMAP's APPENDLIMIT (RFC 7889) read the same setting.
export const MAX_MESSAGE_SIZE_KEY = 'smtp.maxMessageSize';

// 25 MiB, as the large mail services accept; one fits the memory budget for messages in flight
// (budget.ts) with room for many small ones.
export const DEFAULT_MAX_MESSAGE_SIZE = 25 * 1024 * 1024;

export function maxMessageSize(settings: { get<T>(key: string, fallback: T): T }): number {
  const v = settings.get<unknown>(MAX_MESSAGE_SIZE_KEY, DEFAULT_MAX_MESSAGE_SIZE);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_MAX_MESSAGE_SIZE;
}
