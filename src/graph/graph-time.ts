/**
 * Graph states token expiry times in US Pacific time, e.g.
 * `Saturday, 30-Mar-24 16:00:00 PDT`, whatever the caller's locale.
 */

// Building a DateTimeFormat is costly compared with formatting; share one.
const PACIFIC = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  weekday: 'long',
  day: '2-digit',
  month: 'short',
  year: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

type PartType = Intl.DateTimeFormatPartTypes;

function partsOf(date: Date): Map<PartType, string> {
  const parts = new Map<PartType, string>();
  for (const part of PACIFIC.formatToParts(date)) parts.set(part.type, part.value);
  return parts;
}

/** Formats `date` as Graph does in token-expiry messages. Throws RangeError for an invalid date. */
export function formatPacificTime(date: Date): string {
  const parts = partsOf(date);
  const get = (type: PartType): string => parts.get(type) ?? '';
  return (
    `${get('weekday')}, ${get('day')}-${get('month')}-${get('year')} ` +
    `${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`
  );
}
