/**
 * The files around an import (issue 13, items 11 and 12): the reports keep the input's dialect
 * (BOM, line endings, delimiter) and its row numbers, a clean --dry-run removes a stale error
 * report, and a mapping file holds a repeated migration's flags. In-process against the sandbox.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 20, orders: 3, products: 6 } });
});
afterAll(async () => {
  await sandbox?.stop();
});

const BOM = '\uFEFF';

function readCsv(path: string, delimiter = ','): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true, delimiter }) as Row[];
}

describe('import reports keep the input dialect', () => {
  it('an Excel CSV (BOM, CRLF, semicolons) gets reports with the same BOM, CRLF and semicolons', async () => {
    const dir = tempDir();
    const file = join(dir, 'excel.csv');
    const lines = [
      'given_name;family_name;email_addresses.EMAIL1.email;birthday',
      'Ann;Lee;ann.dialect@example.com;1980-02-03T00:00:00.000Z',
      'Bob;"Ray; Jr.";bob.dialect@example.com;someday',
    ];
    writeFileSync(file, `${BOM}${lines.join('\r\n')}\r\n`);
    const result = await runCli(['import', 'contacts', file], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(3);
    for (const report of ['excel.errors.csv', 'excel.results.csv']) {
      const text = readFileSync(join(dir, report), 'utf8');
      expect(text.startsWith(BOM), `${report} starts with a BOM`).toBe(true);
      expect(text.replace(/\r\n/g, ''), `${report} has only CRLF line ends`).not.toMatch(/[\r\n]/);
      expect(text.split('\r\n')[0]).toMatch(/^\uFEFFgiven_name;family_name;/);
    }
    const errors = readCsv(join(dir, 'excel.errors.csv'), ';');
    expect(errors).toEqual([expect.objectContaining({ family_name: 'Ray; Jr.', _row: '3', _field: 'birthday' })]);
  });

  it('a plain CSV (no BOM, LF) stays plain', async () => {
    const dir = tempDir();
    const file = join(dir, 'plain.csv');
    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nCy,cy.dialect@example.com,never\n');
    const result = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(result.code).toBe(3);
    const text = readFileSync(join(dir, 'plain.errors.csv'), 'utf8');
    expect(text.startsWith(BOM)).toBe(false);
    expect(text).not.toMatch(/\r/);
  });

  it('re-importing an error report keeps the original rows in _source_row, through every round', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      [
        'given_name,email_addresses.EMAIL1.email,birthday',
        'Di,di.rows@example.com,1970-01-01T00:00:00.000Z',
        'Ed,ed.rows@example.com,not a date',
        'Flo,flo.rows@example.com,1971-01-01T00:00:00.000Z',
        'Gus,gus.rows@example.com,nor this',
        '',
      ].join('\n'),
    );
    expect((await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env })).code).toBe(3);
    const first = readCsv(join(dir, 'people.errors.csv'));
    expect(first.map((row) => row._row)).toEqual(['3', '5']);
    expect(Object.keys(first[0]!)).not.toContain('_source_row');

    // The report imported as it is (still broken): its rows keep pointing at the original file.
    const again = await runCli(['import', 'contacts', join(dir, 'people.errors.csv'), '--dry-run'], { env: sandbox.env });
    expect(again.code).toBe(3);
    const second = readCsv(join(dir, 'people.errors.errors.csv'));
    expect(second.map((row) => [row._source_row, row._row])).toEqual([
      ['3', '2'],
      ['5', '3'],
    ]);
    const third = await runCli(['import', 'contacts', join(dir, 'people.errors.errors.csv'), '--dry-run'], { env: sandbox.env });
    expect(third.code).toBe(3);
    expect(readCsv(join(dir, 'people.errors.errors.errors.csv')).map((row) => row._source_row)).toEqual(['3', '5']);
  });

  it('a clean --dry-run removes the error report an earlier run left, and only an error report', async () => {
    const dir = tempDir();
    const file = join(dir, 'fixme.csv');
    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nHal,hal.stale@example.com,soon\n');
    expect((await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env })).code).toBe(3);
    const report = join(dir, 'fixme.errors.csv');
    expect(existsSync(report)).toBe(true);

    writeFileSync(file, 'given_name,email_addresses.EMAIL1.email,birthday\nHal,hal.stale@example.com,1990-01-01T00:00:00.000Z\n');
    const clean = await runCli(['import', 'contacts', file, '--dry-run'], { env: sandbox.env });
    expect(clean.code, clean.stderr).toBe(0);
    expect(existsSync(report)).toBe(false);

    const mine = join(dir, 'mine.csv');
    writeFileSync(mine, 'a,b\n1,2\n');
    const kept = await runCli(['import', 'contacts', file, '--dry-run', '--errors', mine], { env: sandbox.env });
    expect(kept.code).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe('a,b\n1,2\n');
  });
});
