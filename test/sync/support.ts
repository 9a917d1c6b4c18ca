/** Reading a sync's database the way a user would: the sqlite3 shell, not the tool's own summary. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Rows of a query, through the `sqlite3` command-line shell's JSON mode. */
export function sqliteRows(file: string, sql: string): Array<Record<string, unknown>> {
  const out = execFileSync('sqlite3', ['-json', file, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : (JSON.parse(out) as Array<Record<string, unknown>>);
}

export function sqliteCount(file: string, table: string, where = ''): number {
  return Number(sqliteRows(file, `SELECT count(*) AS n FROM "${table}" ${where}`)[0]?.n);
}

export const tempFolder = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The records of an NDJSON export. */
export const ndjsonRecords = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
