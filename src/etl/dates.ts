/**
 * Dates given on the command line (`--since`, `--until`) and the times the export engine reads from
 * records and bookmarks: one parser, so both normalise a time the same way. Errors are UsageErrors
 * naming the flag and the value.
 */
import { UsageError } from '../errors.js';

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
