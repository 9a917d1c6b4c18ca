/**
 * Parsing of command-line option values. Every error is a UsageError naming the flag and the
 * value, so the user sees which of several options was wrong. Parsers the engines also use live in
 * etl/ (`parseDateArg` in etl/dates.ts, `parseKeyValues` in etl/key-values.ts).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';

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
