// RFC 5322 3.3 date-time (with the obsolete forms of 4.3) read leniently from a Date field: the
// instant, for SORT DATE and threading (RFC 5256), and the day as written, for SEARCH SENT*
// (RFC 9051 6.4.4: "disregarding time and timezone").

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 5322 4.3 obs-zone: the US zones; military zones and anything else unknown count as -0000.
const ZONES: Record<string, number> = { ut: 0, gmt: 0, z: 0, edt: -4, est: -5, cdt: -5, cst: -6, mdt: -6, mst: -7, pdt: -7, pst: -8 };

// [day-of-week ","] day month year [hour ":" minute [":" second] [zone]]
const DATE_TIME = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{4}|[A-Za-z]+))?)?/;

export interface SentDate {
  ms: number; // the instant, UTC
  day: number; // midnight UTC of the day as written
}

function year(text: string): number {
  const y = Number(text);
  // RFC 5322 4.3: two-digit years from 50 on are 19xx, below 50 20xx; three-digit ones add 1900.
  if (text.length === 2) return y + (y < 50 ? 2000 : 1900);
  return text.length === 3 ? y + 1900 : y;
}

function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined) return 0;
  if (zone[0] === '+' || zone[0] === '-') {
    const sign = zone[0] === '-' ? -1 : 1;
    return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  }
  return (ZONES[zone.toLowerCase()] ?? 0) * 60;
}

// Null when no date can be read.
export function parseSentDate(value: string): SentDate | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  const dayOfMonth = Number(m[1]);
  if (month < 0 || dayOfMonth < 1 || dayOfMonth > 31) return null;
  const day = Date.UTC(year(m[3]!), month, dayOfMonth);
  const time = m[4] === undefined ? 0 : ((Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6] ?? 0)) * 1000;
  return { ms: day + time - zoneMinutes(m[7]) * 60_000, day };
}
