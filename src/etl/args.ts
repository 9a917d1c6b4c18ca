/**
 * Parsing of export/import option values. Every error is a UsageError naming the flag and the
 * value, so the user sees which of several options was wrong.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';

/**
 * `KEY=VALUE` pairs (`--where`, `--param`, `--map`); the value may itself contain `=` or be empty.
 * A key given twice is refused: only one value could be sent, and silently keeping one of them
 * would export something other than what the command line says.
 */
export function parseKeyValues(values: readonly string[] | undefined, flag: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const given = new Map<string, string>();
  for (const item of values ?? []) {
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at).trim() : '';
    if (at <= 0 || key === '') {
      throw new UsageError(`${flag}: "${item}" is not KEY=VALUE`, { hint: `for example ${flag} email=jane@example.com` });
    }
    const value = item.slice(at + 1);
    const earlier = given.get(key);
    if (earlier !== undefined) {
      throw new UsageError(`${flag} ${key} is given twice ("${earlier}" and "${value}")`, {
        hint: `give ${flag} ${key}=... once`,
      });
    }
    given.set(key, value);
    pairs.push([key, value]);
  }
  return pairs;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function dateError(value: string, flag: string): UsageError {
  return new UsageError(`${flag}: "${value}" is not a date; use 2026-01-31 or 2026-01-31T12:00:00Z`);
}

/**
 * A date or date-time -> ISO-8601 UTC with milliseconds, which is what Keap accepts
 * (`2026-01-01` -> `2026-01-01T00:00:00.000Z`). Offsets are applied; a date-time without an
 * offset is taken as UTC (like the dates Keap returns), so a cron job means the same thing on
 * every machine. Impossible dates (`2026-02-30`) are refused rather than rolled over.
 */
export function parseDateArg(value: string, flag: string): string {
  const text = value.trim();
  let year: number, month: number, day: number;
  let hour = 0,
    minute = 0,
    second = 0,
    millis = 0;
  let offsetMinutes = 0;
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = dateOnly ? null : DATE_TIME.exec(text);
  if (dateOnly) {
    [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
  } else if (dateTime) {
    [year, month, day] = [Number(dateTime[1]), Number(dateTime[2]), Number(dateTime[3])];
    hour = Number(dateTime[4]);
    minute = Number(dateTime[5]);
    second = Number(dateTime[6] ?? 0);
    millis = dateTime[7] ? Math.floor(Number(`0.${dateTime[7]}`) * 1000) : 0;
    const zone = dateTime[8];
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const hours = Number(digits.slice(0, 2));
      const minutes = Number(digits.slice(2) || 0);
      if (hours > 14 || minutes > 59) throw dateError(value, flag);
      offsetMinutes = sign * (hours * 60 + minutes);
    }
  } else {
    throw dateError(value, flag);
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw dateError(value, flag);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw dateError(value, flag);
  }
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

/**
 * `--fields a,b` / `--include x,y` (repeatable): names in order, trimmed, duplicates dropped.
 * The list is read as one CSV row, so a name holding a comma (a custom field labelled
 * "Notes, misc") is written in double quotes: `--fields 'id,"custom.Notes, misc"'`.
 * An empty list is a UsageError.
 */
export function parseFieldList(value: string | readonly string[], flag: string): string[] {
  const items = (typeof value === 'string' ? [value] : value).flatMap((v) => splitList(v, flag));
  const names: string[] = [];
  for (const item of items) {
    const name = item.trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  if (names.length === 0) {
    throw new UsageError(`${flag}: expected a comma-separated list of names, got "${String(value)}"`);
  }
  return names;
}

/** A whole number >= 0 (`--port`, `--latency`), or undefined when the flag was not given. */
export function parseWholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${flag}: "${value}" is not a whole number`);
  }
  return n;
}

/** A whole number >= 1 (`--max`, `--page-size`, `--concurrency`). */
export function parsePositiveInt(value: string, flag: string): number {
  const text = value.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag}: "${value}" is not a positive whole number`);
  }
  return n;
}

function splitList(value: string, flag: string): string[] {
  try {
    const rows = parseCsv(value, { relax_column_count: true, trim: true }) as string[][];
    return rows.flat();
  } catch (error) {
    throw new UsageError(`${flag}: cannot read "${value}" as a list (${(error as Error).message})`, {
      hint: 'separate names with commas; put a name that holds a comma in double quotes',
    });
  }
}
