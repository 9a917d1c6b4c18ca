import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { InputError } from '../../../src/etl/errors.js';
import { csvParseOptions } from '../../../src/etl/csv-cells.js';
import { RowOutcomes } from '../../../src/etl/import/outcomes.js';
import { checkReportPaths, reportPaths, writeReports } from '../../../src/etl/import/reports.js';
import type { ImportInput, InputFormat, InputRow, RowOutcome } from '../../../src/etl/import/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-reports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for openInput: the rows given, streamed; `failAfter` makes the stream break like a bad file would. */
function fakeInput(
  format: InputFormat,
  columns: string[],
  rows: InputRow[],
  options: { delimiter?: string; failAfter?: number } = {},
): ImportInput {
  return {
    name: `contacts.${format}`,
    path: join(dir, `contacts.${format}`),
    format,
    ...(format === 'csv' ? { delimiter: options.delimiter ?? ',' } : {}),
    hash: 'f'.repeat(64),
    columns,
    reportBase: join(dir, 'contacts'),
    async *rows() {
      for (const [index, row] of rows.entries()) {
        if (index === options.failAfter) throw new InputError({ file: `contacts.${format}`, row: row.row }, 'unterminated quote');
        yield row;
      }
    },
    async close() {},
  };
}

function outcomesOf(...outcomes: RowOutcome[]): (row: number) => RowOutcome | undefined {
  const store = new RowOutcomes();
  for (const outcome of outcomes) store.set(outcome);
  return (row) => store.get(row);
}

const read = (name: string) => readFile(join(dir, name), 'utf8');

describe('reportPaths', () => {
  let input: ImportInput;
  beforeEach(() => {
    input = fakeInput('ndjson', [], []);
  });

  it('puts the reports beside the input, in its format', () => {
    expect(reportPaths(input, {})).toEqual({ errors: join(dir, 'contacts.errors.ndjson'), results: join(dir, 'contacts.results.ndjson') });
  });

  it('uses --errors and --results as given', () => {
    expect(reportPaths(input, { errors: 'bad.ndjson', results: '-' })).toEqual({ errors: 'bad.ndjson', results: '-' });
  });

  it('refuses a report over the input itself, or both reports on one file', () => {
    expect(() => reportPaths(input, { results: input.path })).toThrow(UsageError);
    expect(() => reportPaths(input, { results: input.path })).toThrow(`--results ${input.path} is the input file itself`);
    expect(() => reportPaths(input, { errors: 'x.ndjson', results: './x.ndjson' })).toThrow('--errors and --results both name x.ndjson');
  });
});

describe('writeReports to CSV', () => {
  const columns = ['id', 'email', 'note', '_row', '_error'];
  const rows: InputRow[] = [
    { row: 2, values: { id: null, email: 'a@example.com', note: 'first; with "quotes"', _row: '7', _error: 'old' } },
    { row: 3, values: { id: null, email: 'b@example', note: '', _row: null, _error: null } },
    { row: 5, values: { id: null, email: 'c@example.com', note: 'two\nlines', _row: null, _error: null } },
    { row: 6, values: { id: '42', email: 'd@example.com', note: null, _row: null, _error: null } },
  ];
  const outcomeOf = outcomesOf(
    { row: 2, status: 'created', id: 101 },
    { row: 3, status: 'invalid', field: 'email', error: 'not an email: b@example' },
    { row: 5, status: 'failed', httpStatus: 400, error: 'Keap said "no", twice' },
    { row: 6, status: 'updated', id: 42 },
  );

  it('writes the results with the input delimiter, cells as read, old `_` columns replaced, the old _row kept as _source_row', async () => {
    const input = fakeInput('csv', columns, rows, { delimiter: ';' });
    const counts = await writeReports(input, outcomeOf, reportPaths(input, {}));
    expect(counts).toEqual({ errorRows: 2, resultRows: 4 });
    expect(await read('contacts.results.csv')).toBe(
      [
        'id;email;note;_source_row;_row;_action;_id',
        ';a@example.com;"first; with ""quotes""";7;2;created;101',
        ';b@example;"";;3;invalid;',
        ';c@example.com;"two\nlines";;5;failed;',
        '42;d@example.com;;;6;updated;42',
        '',
      ].join('\n'),
    );
  });

  it('writes the error report with only the rows to look at, HTTP status for failed ones', async () => {
    const input = fakeInput('csv', columns, rows, { delimiter: ';' });
    await writeReports(input, outcomeOf, reportPaths(input, {}));
    expect(await read('contacts.errors.csv')).toBe(
      [
        'id;email;note;_source_row;_row;_status;_field;_error',
        ';b@example;"";;3;invalid;email;not an email: b@example',
        ';c@example.com;"two\nlines";;5;400;;"Keap said ""no"", twice"',
        '',
      ].join('\n'),
    );
  });

  it('reports unknown and skipped rows too, and a row without an outcome in the results only', async () => {
    const input = fakeInput(
      'csv',
      ['email'],
      [
        { row: 2, values: { email: 'a' } },
        { row: 3, values: { email: 'b' } },
        { row: 4, values: { email: 'c' } },
        { row: 5, values: { email: 'd' } },
      ],
    );
    const counts = await writeReports(
      input,
      outcomesOf({ row: 2, status: 'unknown', error: 'no answer' }, { row: 3, status: 'skipped' }, { row: 4, status: 'deleted' }),
      reportPaths(input, {}),
    );
    expect(counts).toEqual({ errorRows: 2, resultRows: 4 });
    expect(await read('contacts.errors.csv')).toBe('email,_row,_status,_field,_error\na,2,unknown,,no answer\nb,3,skipped,,\n');
    expect(await read('contacts.results.csv')).toBe('email,_row,_action,_id\na,2,unknown,\nb,3,skipped,\nc,4,deleted,\nd,5,,\n');
  });

  it.each([',', ';'])('round-trips every cell exactly through csv-parse (delimiter %j)', async (delimiter) => {
    const awkward = [
      'a,b',
      'a;b',
      'say "hi"',
      'line\nbreak',
      'crlf\r\nbreak',
      'émoji 🎉 Ωmega',
      '  spaced  ',
      '007',
      '',
      null,
      '"',
      '=1+1',
    ];
    const input = fakeInput(
      'csv',
      ['name', 'odd, "header"'],
      awkward.map((cell, i) => ({ row: i + 2, values: { name: cell, 'odd, "header"': awkward[awkward.length - 1 - i] } })),
      { delimiter },
    );
    await writeReports(input, () => ({ row: 0, status: 'failed', error: 'x' }), reportPaths(input, {}));
    for (const name of ['contacts.results.csv', 'contacts.errors.csv']) {
      const parsed = parse(await read(name), { ...csvParseOptions(), delimiter }) as Array<Record<string, unknown>>;
      expect(parsed.map((record) => [record.name, record['odd, "header"']])).toEqual(
        awkward.map((cell, i) => [cell, awkward[awkward.length - 1 - i]]),
      );
      expect(parsed.map((record) => record._row)).toEqual(awkward.map((_, i) => String(i + 2)));
    }
  });

  it('writes no error report when every row went through', async () => {
    const input = fakeInput('csv', ['email'], [{ row: 2, values: { email: 'a@example.com' } }]);
    const counts = await writeReports(input, outcomesOf({ row: 2, status: 'created', id: 5 }), reportPaths(input, {}));
    expect(counts).toEqual({ errorRows: 0, resultRows: 1 });
    expect(await readdir(dir)).toEqual(['contacts.results.csv']);
  });

  it('writes only the error report when results are not wanted', async () => {
    const input = fakeInput('csv', ['email'], [{ row: 2, values: { email: 'a' } }]);
    const counts = await writeReports(input, outcomesOf({ row: 2, status: 'invalid', error: 'bad' }), reportPaths(input, {}), {
      results: false,
    });
    expect(counts).toEqual({ errorRows: 1, resultRows: 0 });
    expect(await readdir(dir)).toEqual(['contacts.errors.csv']);
  });

  it('writes every row of a large input, through the stream in pieces', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      row: i + 2,
      values: { email: `person${i}@example.com`, note: 'x'.repeat(20) },
    }));
    const input = fakeInput('csv', ['email', 'note'], many);
    const counts = await writeReports(
      input,
      (row) => ({ row, status: row % 1000 === 0 ? 'failed' : 'created', id: row }),
      reportPaths(input, {}),
    );
    expect(counts).toEqual({ errorRows: 5, resultRows: 5_000 });
    const parsed = parse(await read('contacts.results.csv'), csvParseOptions()) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(5_000);
    expect(parsed.at(-1)).toEqual({
      email: 'person4999@example.com',
      note: 'x'.repeat(20),
      _row: '5001',
      _action: 'created',
      _id: '5001',
    });
  });
});

describe('writeReports to JSON and NDJSON', () => {
  const rows: InputRow[] = [
    { row: 1, values: { email: 'a@example.com', custom: { Tier: 'gold' }, _action: 'created', _id: 9 } },
    { row: 2, values: { email: 'b@example', tags: [1, 2], notes: null } },
  ];
  const outcomeOf = outcomesOf(
    { row: 1, status: 'updated', id: 9 },
    { row: 2, status: 'failed', httpStatus: 422, field: 'email', error: 'bad' },
  );

  it('writes JSON as one array of the records with the `_` keys added', async () => {
    const input = fakeInput('json', ['email', 'custom', '_action', '_id', 'tags', 'notes'], rows);
    expect(await writeReports(input, outcomeOf, reportPaths(input, {}))).toEqual({ errorRows: 1, resultRows: 2 });
    expect(JSON.parse(await read('contacts.results.json'))).toEqual([
      { email: 'a@example.com', custom: { Tier: 'gold' }, _row: 1, _action: 'updated', _id: 9 },
      { email: 'b@example', tags: [1, 2], notes: null, _row: 2, _action: 'failed', _id: null },
    ]);
    expect(JSON.parse(await read('contacts.errors.json'))).toEqual([
      { email: 'b@example', tags: [1, 2], notes: null, _row: 2, _status: 422, _field: 'email', _error: 'bad' },
    ]);
  });

  it('writes an empty JSON array for an empty input', async () => {
    const input = fakeInput('json', [], []);
    expect(await writeReports(input, outcomeOf, reportPaths(input, {}))).toEqual({ errorRows: 0, resultRows: 0 });
    expect(JSON.parse(await read('contacts.results.json'))).toEqual([]);
  });

  it('writes NDJSON as one record a line', async () => {
    const input = fakeInput('ndjson', ['email', 'custom', '_action', '_id', 'tags', 'notes'], rows);
    await writeReports(input, outcomeOf, reportPaths(input, {}));
    expect(await read('contacts.results.ndjson')).toBe(
      '{"email":"a@example.com","custom":{"Tier":"gold"},"_row":1,"_action":"updated","_id":9}\n' +
        '{"email":"b@example","tags":[1,2],"notes":null,"_row":2,"_action":"failed","_id":null}\n',
    );
    expect(await read('contacts.errors.ndjson')).toBe(
      '{"email":"b@example","tags":[1,2],"notes":null,"_row":2,"_status":422,"_field":"email","_error":"bad"}\n',
    );
  });

  it('writes `-` to standard output', async () => {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const input = fakeInput('ndjson', ['email'], [{ row: 1, values: { email: 'a' } }]);
    await writeReports(
      input,
      outcomesOf({ row: 1, status: 'created', id: 3 }),
      { errors: join(dir, 'e.ndjson'), results: '-' },
      { stdout },
    );
    expect(Buffer.concat(chunks).toString()).toBe('{"email":"a","_row":1,"_action":"created","_id":3}\n');
  });
});

describe('checkReportPaths', () => {
  it('refuses a report that cannot be written before anything is sent, creating nothing', async () => {
    const results = join(dir, 'nowhere', 'results.csv');
    const check = checkReportPaths({ errors: join(dir, 'errors.csv'), results });
    await expect(check).rejects.toThrow(UsageError);
    await expect(check).rejects.toThrow(`cannot write ${results}: the folder`);
    await expect(checkReportPaths({ errors: join(dir, 'errors.csv'), results }, { results: false })).resolves.toBeUndefined();
    await expect(checkReportPaths({ errors: dir, results: '-' })).rejects.toThrow(`cannot write ${dir}: it is a folder`);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeReports failing', () => {
  it('leaves no half report (and the previous one untouched) when the input breaks midway', async () => {
    await writeFile(join(dir, 'contacts.results.csv'), 'previous complete results\n');
    const rows = Array.from({ length: 5 }, (_, i) => ({ row: i + 2, values: { email: `p${i}@example.com` } }));
    const input = fakeInput('csv', ['email'], rows, { failAfter: 3 });
    const failing = writeReports(input, (row) => ({ row, status: 'failed', httpStatus: 500 }), reportPaths(input, {}));
    await expect(failing).rejects.toThrow(InputError);
    await expect(failing).rejects.toThrow('contacts.csv, row 5: unterminated quote');
    expect(await readdir(dir)).toEqual(['contacts.results.csv']);
    expect(await read('contacts.results.csv')).toBe('previous complete results\n');
  });

  it('names a report path that cannot be written, and writes neither report', async () => {
    const input = fakeInput('csv', ['email'], [{ row: 2, values: { email: 'a' } }]);
    const errors = join(dir, 'missing', 'errors.csv');
    const failing = writeReports(input, outcomesOf({ row: 2, status: 'invalid' }), reportPaths(input, { errors }));
    await expect(failing).rejects.toThrow(UsageError);
    await expect(failing).rejects.toThrow(`cannot write ${errors}: the folder`);
    expect(await readdir(dir)).toEqual([]);
  });
});
