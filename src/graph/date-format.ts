/**
 * PHP `date()` formatting in UTC, as Graph's `date_format` parameter applies it to every time string of
 * an answer (graph-api.md §6). Every format character of PHP 8.2 is supported; `\` escapes the next
 * character; any other character is copied. `date()` takes whole seconds, so `u` and `v` are zeros.
 */

/** Graph's own time format: `2023-08-22T19:05:53+0000`. */
export const GRAPH_TIME_FORMAT = 'Y-m-d\\TH:i:sO';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_MS = 86_400_000;

function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** ISO-8601 week-numbering year and week of a UTC date. */
function isoWeek(date: Date): { year: number; week: number } {
  const day = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  // The Thursday of this ISO week decides its year.
  const thursday = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) + (4 - day) * DAY_MS,
  );
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { year, week };
}

function ordinalSuffix(day: number): string {
  if (day >= 11 && day <= 13) return 'th';
  if (day % 10 === 1) return 'st';
  if (day % 10 === 2) return 'nd';
  if (day % 10 === 3) return 'rd';
  return 'th';
}

function hour12(hour: number): number {
  return hour % 12 === 0 ? 12 : hour % 12;
}

function expandedYear(year: number, alwaysSigned: boolean): string {
  if (year < 0) return `-${pad(-year, 4)}`;
  if (alwaysSigned || year >= 10_000) return `+${pad(year, 4)}`;
  return pad(year, 4);
}

type Formatter = (date: Date) => string;

const dayOfYear = (date: Date): number =>
  Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS);

/** One entry per PHP format character (https://www.php.net/manual/en/datetime.format.php). */
const CHARACTERS: Readonly<Record<string, Formatter>> = {
  // Day
  d: (date) => pad(date.getUTCDate(), 2),
  D: (date) => (DAY_NAMES[date.getUTCDay()] ?? '').slice(0, 3),
  j: (date) => String(date.getUTCDate()),
  l: (date) => DAY_NAMES[date.getUTCDay()] ?? '',
  N: (date) => String(date.getUTCDay() === 0 ? 7 : date.getUTCDay()),
  S: (date) => ordinalSuffix(date.getUTCDate()),
  w: (date) => String(date.getUTCDay()),
  z: (date) => String(dayOfYear(date)),
  // Week
  W: (date) => pad(isoWeek(date).week, 2),
  // Month
  F: (date) => MONTH_NAMES[date.getUTCMonth()] ?? '',
  m: (date) => pad(date.getUTCMonth() + 1, 2),
  M: (date) => (MONTH_NAMES[date.getUTCMonth()] ?? '').slice(0, 3),
  n: (date) => String(date.getUTCMonth() + 1),
  t: (date) => String(daysInMonth(date.getUTCFullYear(), date.getUTCMonth())),
  // Year
  L: (date) => (isLeap(date.getUTCFullYear()) ? '1' : '0'),
  o: (date) => String(isoWeek(date).year),
  X: (date) => expandedYear(date.getUTCFullYear(), true),
  x: (date) => expandedYear(date.getUTCFullYear(), false),
  Y: (date) => pad(date.getUTCFullYear(), 4),
  y: (date) => pad(date.getUTCFullYear() % 100, 2),
  // Time
  a: (date) => (date.getUTCHours() < 12 ? 'am' : 'pm'),
  A: (date) => (date.getUTCHours() < 12 ? 'AM' : 'PM'),
  B: (date) => {
    const seconds =
      (date.getUTCHours() * 3600 + date.getUTCMinutes() * 60 + date.getUTCSeconds() + 3600) % 86_400;
    return pad(Math.floor(seconds / 86.4), 3);
  },
  g: (date) => String(hour12(date.getUTCHours())),
  G: (date) => String(date.getUTCHours()),
  h: (date) => pad(hour12(date.getUTCHours()), 2),
  H: (date) => pad(date.getUTCHours(), 2),
  i: (date) => pad(date.getUTCMinutes(), 2),
  s: (date) => pad(date.getUTCSeconds(), 2),
  u: () => '000000',
  v: () => '000',
  // Time zone (always UTC)
  e: () => 'UTC',
  I: () => '0',
  O: () => '+0000',
  P: () => '+00:00',
  p: () => 'Z',
  T: () => 'UTC',
  Z: () => '0',
  // Full date/time
  c: (date) => formatDate(date, 'Y-m-d\\TH:i:sP'),
  r: (date) => formatDate(date, 'D, d M Y H:i:s O'),
  U: (date) => String(Math.floor(date.getTime() / 1000)),
};

/** `date` written with a PHP `date()` format, in UTC. */
export function formatDate(date: Date, format: string): string {
  let out = '';
  for (let index = 0; index < format.length; index++) {
    const character = format[index] as string;
    if (character === '\\') {
      index++;
      if (index < format.length) out += format[index];
      continue;
    }
    const formatter = CHARACTERS[character];
    out += formatter === undefined ? character : formatter(date);
  }
  return out;
}

/**
 * A stored ISO time as the answer writes it: Graph's default format, the request's `date_format`, or
 * unix seconds as a JSON number for `date_format=U` (as Graph does).
 */
export function graphTimeValue(iso: string, dateFormat: string | undefined): string | number {
  const date = new Date(iso);
  if (dateFormat === 'U') return Math.floor(date.getTime() / 1000);
  return formatDate(date, dateFormat === undefined || dateFormat === '' ? GRAPH_TIME_FORMAT : dateFormat);
}
