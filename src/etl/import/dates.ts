/**
 * Dates as people's files hold them -> what Keap takes: `YYYY-MM-DD` for a date, ISO 8601 in UTC
 * with milliseconds for a date-time (Keap refuses date-times without them).
 *
 * A value is read by `--date-format` when given (tokens `YYYY MM DD HH mm ss`, or strftime when the
 * pattern has a `%`), else as ISO 8601 (a space may stand for the `T`). Either may end in an offset
 * (`Z`, `UTC`, `+02:00`, `-0500`); a value without one is wall-clock time in `--timezone` (UTC by
 * default), and a date alone sent to a date-time field is midnight there.
 */
import { UsageError } from '../../errors.js';

type Part = 'year' | 'year2' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/** A compiled `--date-format`. */
export interface DatePattern {
  /** As the user wrote it, for messages. */
  source: string;
  regex: RegExp;
  /** The part each capture group holds, in order. */
  parts: Part[];
}

export interface DateFormats {
  pattern?: DatePattern;
  /** An IANA zone, checked by checkTimeZone; UTC when absent. */
  timeZone?: string;
}

/** What a date or date-time cell became: the value to send, or why it cannot be read. */
export type DateResult = { value: string } | { problem: string };

const OFFSET = String.raw`(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)`;
const ISO = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*${OFFSET})?)?$`, 'i');
const TOKENS: ReadonlyArray<[string, Part]> = [
  ['YYYY', 'year'],
  ['MM', 'month'],
  ['DD', 'day'],
  ['HH', 'hour'],
  ['mm', 'minute'],
  ['ss', 'second'],
];
const STRFTIME: Readonly<Record<string, Part | string>> = {
  Y: 'year',
  y: 'year2',
  m: 'month',
  d: 'day',
  e: 'day',
  H: 'hour',
  M: 'minute',
  S: 'second',
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
};
const FORMAT_HINT =
  'use the tokens YYYY MM DD HH mm ss (e.g. MM/DD/YYYY, DD.MM.YYYY HH:mm) or strftime (%d/%m/%Y %H:%M; %Y %y %m %d %e %H %M %S %F %T %%)';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Element = { part: Part } | { literal: string };

function tokenElements(source: string): Element[] {
  const elements: Element[] = [];
  let at = 0;
  while (at < source.length) {
    const token = TOKENS.find(([text]) => source.startsWith(text, at));
    if (token) {
      elements.push({ part: token[1] });
      at += token[0].length;
    } else elements.push({ literal: source[at++] as string });
  }
  return elements;
}

function strftimeElements(source: string): Element[] {
  const expanded = source.replace(/%([FT])/g, (_m, letter: string) => STRFTIME[letter] as string);
  const elements: Element[] = [];
  for (let at = 0; at < expanded.length; at++) {
    const char = expanded[at] as string;
    if (char !== '%') {
      elements.push({ literal: char });
      continue;
    }
    const letter = expanded[++at] ?? '';
    if (letter === '%') elements.push({ literal: '%' });
    else if (STRFTIME[letter]) elements.push({ part: STRFTIME[letter] as Part });
    else throw new UsageError(`--date-format ${source}: %${letter} is not a directive this tool reads`, { hint: FORMAT_HINT });
  }
  return elements;
}

/** `--date-format F` compiled; UsageError naming the flag when it cannot be used. */
export function parseDateFormat(source: string): DatePattern {
  const elements = source.includes('%') ? strftimeElements(source) : tokenElements(source);
  const parts = elements.flatMap((e) => ('part' in e ? [e.part] : []));
  const year = parts.includes('year') || parts.includes('year2');
  if (!year || !parts.includes('month') || !parts.includes('day')) {
    throw new UsageError(`--date-format ${source}: a format needs a year, a month and a day`, { hint: FORMAT_HINT });
  }
  const twice = parts.find((part, i) => parts.indexOf(part) !== i);
  if (twice) throw new UsageError(`--date-format ${source}: it names the ${twice} twice`, { hint: FORMAT_HINT });
  let body = '';
  elements.forEach((element, i) => {
    if ('literal' in element) {
      body += /\s/.test(element.literal) ? String.raw`\s+` : escapeRegExp(element.literal);
      return;
    }
    // Leading zeros are optional (Excel writes 1/5/2026) unless another number follows at once.
    const next = elements[i + 1];
    const digits = element.part === 'year' ? '4' : next && 'part' in next ? '2' : '1,2';
    body += `(\\d{${element.part === 'year2' ? '2' : digits}})`;
  });
  return { source, regex: new RegExp(`^${body}(?:\\s*${OFFSET})?$`, 'i'), parts };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

/** `--timezone ZONE` checked against the IANA names Intl knows; UsageError naming the flag otherwise. */
export function checkTimeZone(zone: string): string {
  try {
    return zoneFormat(zone).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`--timezone: "${zone}" is not a time zone`, {
      hint: 'use an IANA name such as America/New_York, Europe/Berlin or UTC',
    });
  }
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(zone).formatToParts(new Date(instant))) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A wall-clock time in a zone -> the instant. A time that occurs twice (summer time ending) is the
 * first; one a change skips (02:30 when clocks jump from 02:00 to 03:00) is read with the offset
 * before the change, as Temporal's `compatible` does.
 */
function zonedInstant(wall: number, zone: string): number {
  const first = wall - zoneOffset(zone, wall);
  const second = wall - zoneOffset(zone, first);
  return second + zoneOffset(zone, second) === wall ? second : first;
}

interface Reading {
  year: number;
  month: number;
  day: number;
  time?: { hour: number; minute: number; second: number; ms: number };
  /** Minutes ahead of UTC, when the value gives an offset. */
  offset?: number;
}

function offsetMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^(Z|UTC|GMT)$/i.test(text)) return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return text.startsWith('-') ? -minutes : minutes;
}

function readIso(text: string): Reading | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const time =
    hour === undefined
      ? undefined
      : {
          hour: Number(hour),
          minute: Number(minute),
          second: Number(second ?? 0),
          ms: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
        };
  return { year: Number(year), month: Number(month), day: Number(day), ...(time ? { time } : {}), ...offsetOf(offset) };
}

function offsetOf(text: string | undefined): { offset?: number } {
  const offset = offsetMinutes(text);
  return offset === undefined ? {} : { offset };
}

function readPattern(text: string, pattern: DatePattern): Reading | undefined {
  const match = pattern.regex.exec(text);
  if (!match) return undefined;
  const found: Partial<Record<Part, number>> = {};
  pattern.parts.forEach((part, i) => {
    found[part] = Number(match[i + 1]);
  });
  // Two-digit years as POSIX strptime reads them: 69-99 are 1900s, 00-68 2000s.
  const year = found.year ?? (found.year2! < 69 ? 2000 + found.year2! : 1900 + found.year2!);
  const timed = found.hour !== undefined || found.minute !== undefined || found.second !== undefined;
  const time = timed ? { hour: found.hour ?? 0, minute: found.minute ?? 0, second: found.second ?? 0, ms: 0 } : undefined;
  return { year, month: found.month!, day: found.day!, ...(time ? { time } : {}), ...offsetOf(match[pattern.parts.length + 1]) };
}

function isReal(reading: Reading): boolean {
  const { year, month, day, time, offset } = reading;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (time && (time.hour > 23 || time.minute > 59 || time.second > 59)) return false;
  return offset === undefined || Math.abs(offset) <= 18 * 60;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A cell for a `date` or `datetime` field (or a Date / DateTime custom field) -> the text Keap
 * takes, or the problem. '' passes as it is (a cleared value).
 */
export function coerceDate(value: unknown, kind: 'date' | 'datetime', formats: DateFormats = {}): DateResult {
  if (value === '') return { value };
  const what = kind === 'date' ? 'a date' : 'a date-time';
  const expected = formats.pattern
    ? `in the format ${formats.pattern.source}`
    : kind === 'date'
      ? '(YYYY-MM-DD)'
      : '(ISO 8601, such as 2024-05-01T09:30:00.000Z)';
  const problem = { problem: `${show(value)} is not ${what} ${expected}` };
  if (typeof value !== 'string') return problem;
  const text = value.trim();
  const reading = (formats.pattern ? readPattern(text, formats.pattern) : undefined) ?? readIso(text);
  if (!reading || !isReal(reading)) return problem;
  const { year, month, day, time, offset } = reading;
  if (kind === 'date') {
    if (time && (time.hour || time.minute || time.second || time.ms)) {
      return { problem: `${show(value)} has a time of day, and this field takes a date only` };
    }
    return { value: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
  }
  const wall = Date.UTC(year, month - 1, day, time?.hour ?? 0, time?.minute ?? 0, time?.second ?? 0, time?.ms ?? 0);
  const instant =
    offset !== undefined
      ? wall - offset * 60_000
      : formats.timeZone && formats.timeZone !== 'UTC'
        ? zonedInstant(wall, formats.timeZone)
        : wall;
  return { value: new Date(instant).toISOString() };
}
