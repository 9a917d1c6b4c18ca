import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { InputError } from '../../../src/etl/errors.js';
import { type InputOptions, openInput } from '../../../src/etl/import/input.js';
import { csvLine } from '../../../src/etl/csv-cells.js';
import type { ImportInput, InputRow } from '../../../src/etl/import/types.js';
import { tempDir } from '../../support/files.js';

// That a large input is read in flat memory is measured by the bench (test/bench/input-heap.mjs,
// `BENCH_ONLY=input npm run bench`): heap samples move with the garbage collector and the machine.

let dir: string;
const opened: ImportInput[] = [];

beforeEach(() => {
  dir = tempDir('infusionsoft-input-');
});
afterEach(async () => {
  for (const input of opened.splice(0)) await input.close();
  await rm(dir, { recursive: true, force: true });
});

const noStdin = () => Readable.from([]);

/** Writes a file into the test's folder; names in messages are then as given, relative to it. */
async function write(name: string, content: string | Buffer): Promise<string> {
  await writeFile(join(dir, name), content);
  return name;
}

async function open(file: string, options: Partial<InputOptions> = {}): Promise<ImportInput> {
  const input = await openInput(file, { stdin: noStdin(), cwd: dir, tempDir: dir, ...options });
  opened.push(input);
  return input;
}

async function readAll(input: ImportInput): Promise<InputRow[]> {
  const rows: InputRow[] = [];
  for await (const row of input.rows()) rows.push(row);
  return rows;
}

/** Opens and reads the whole input, expecting an InputError; returns it. */
async function inputError(file: string, options: Partial<InputOptions> = {}): Promise<InputError> {
  try {
    await readAll(await open(file, options));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    return error as InputError;
  }
  throw new Error(`${file} was read without an error`);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('CSV input', () => {
  it('reads the header as columns and each record as cells by name, keeping empty (null) apart from "" (empty string)', async () => {
    const file = await write('contacts.csv', 'email,given_name,_status,notes\na@example.com,Ann,,""\nb@example.com,"Bob, Jr",ok,plain\n');
    const input = await open(file);
    expect(input).toMatchObject({ name: 'contacts.csv', format: 'csv', delimiter: ',', path: join(dir, 'contacts.csv') });
    expect(input.reportBase).toBe(join(dir, 'contacts'));
    expect(input.columns).toEqual(['email', 'given_name', '_status', 'notes']);
    expect(await readAll(input)).toEqual([
      { row: 2, values: { email: 'a@example.com', given_name: 'Ann', _status: null, notes: '' } },
      { row: 3, values: { email: 'b@example.com', given_name: 'Bob, Jr', _status: 'ok', notes: 'plain' } },
    ]);
  });

  it("reads export's CSV cells back as they were written: empty as null, \"\" as '', quotes, delimiters and line breaks", async () => {
    const cells = [null, '', 'a,b', 'say "hi", twice ""', '', 'two\nlines', null, '"', ''];
    const header = cells.map((_, i) => `c${i}`);
    const file = await write('export.csv', csvLine(header) + csvLine(cells) + csvLine(['x', ...cells.slice(1)]));
    const rows = await readAll(await open(file));
    expect(rows.map((r) => Object.values(r.values))).toEqual([cells, ['x', ...cells.slice(1)]]);
    expect(rows.map((r) => r.row)).toEqual([2, 4]);
  });

  it('numbers each row by the line it starts on, past quoted line breaks, blank lines and CRLF line ends', async () => {
    const file = await write(
      'notes.csv',
      'id,notes\r\n1,"two\r\nlines"\r\n2,plain\r\n\r\n3,"three\nlines\nhere"\n4,last\n5,"a \r lone CR"',
    );
    const rows = await readAll(await open(file));
    expect(rows.map((r) => [r.row, r.values['id']])).toEqual([
      [2, '1'],
      [4, '2'],
      [6, '3'],
      [9, '4'],
      [10, '5'],
    ]);
    expect(rows[0]!.values['notes']).toBe('two\r\nlines');
    expect(rows[1]!.values['notes']).toBe('plain');
  });

  it('detects a semicolon-separated file from its header, ignoring delimiters inside quotes', async () => {
    const file = await write('de.csv', '"name, full";email;city\n"Müller, Jörg";j@example.com;Köln\n');
    const input = await open(file);
    expect(input.delimiter).toBe(';');
    expect(input.columns).toEqual(['name, full', 'email', 'city']);
    expect((await readAll(input))[0]!.values).toEqual({ 'name, full': 'Müller, Jörg', email: 'j@example.com', city: 'Köln' });
  });

  it('uses --delimiter over what the header suggests, and reads tabs (also for .tsv files)', async () => {
    const semicolons = await write('mixed.csv', 'name;note,x\nAnn;a,b\n');
    expect((await open(semicolons)).columns).toEqual(['name;note', 'x']);
    const chosen = await open(semicolons, { delimiter: ';' });
    expect(chosen.columns).toEqual(['name', 'note,x']);
    expect((await readAll(chosen))[0]!.values).toEqual({ name: 'Ann', 'note,x': 'a,b' });

    const tabs = await write('tabs.csv', 'name\tnote\nAnn\ta, b; c\n');
    expect((await readAll(await open(tabs, { delimiter: '\\t' })))[0]!.values).toEqual({ name: 'Ann', note: 'a, b; c' });
    const tsv = await write('tabs.tsv', 'name\tnote\nAnn\tx\n');
    expect(await open(tsv)).toMatchObject({ format: 'csv', delimiter: '\t', columns: ['name', 'note'] });
  });

  it('reads a cell of 10 MB', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const file = await write('big.csv', `id,notes\n1,"${big}"\n2,small\n`);
    const rows = await readAll(await open(file));
    expect(rows.map((r) => r.row)).toEqual([2, 3]);
    expect((rows[0]!.values['notes'] as string).length).toBe(big.length);
  });
});

describe('JSON and NDJSON input', () => {
  it('reads a JSON array of objects; columns are every top-level key in first-seen order; rows are 1-based positions', async () => {
    const file = await write(
      'people.json',
      '[\n {"email": "a@example.com", "tags": [1, 2]},\n {"given_name": "Bob", "email": "b@example.com", "custom": {"Level": "gold"}}\n]\n',
    );
    const input = await open(file);
    expect(input).toMatchObject({ name: 'people.json', format: 'json', reportBase: join(dir, 'people') });
    expect(input.delimiter).toBeUndefined();
    expect(input.columns).toEqual(['email', 'tags', 'given_name', 'custom']);
    expect(await readAll(input)).toEqual([
      { row: 1, values: { email: 'a@example.com', tags: [1, 2] } },
      { row: 2, values: { given_name: 'Bob', email: 'b@example.com', custom: { Level: 'gold' } } },
    ]);
  });

  it('reads strings with brackets, braces, quotes and escapes inside JSON elements', async () => {
    const tricky = { note: 'a "quoted" ] } { [ \\ \n text', nested: { list: [{ x: '}' }] } };
    const file = await write('tricky.json', JSON.stringify([tricky, { note: '\\' }]));
    expect((await readAll(await open(file))).map((r) => r.values)).toEqual([tricky, { note: '\\' }]);
  });

  it('reads NDJSON one object per line, skipping blank lines but counting them', async () => {
    const file = await write('people.ndjson', '{"email": "a@example.com"}\r\n\n   \n{"email": "b@example.com", "given_name": "Bob"}\n');
    const input = await open(file);
    expect(input).toMatchObject({ format: 'ndjson', columns: ['email', 'given_name'], reportBase: join(dir, 'people') });
    expect(await readAll(input)).toEqual([
      { row: 1, values: { email: 'a@example.com' } },
      { row: 4, values: { email: 'b@example.com', given_name: 'Bob' } },
    ]);
  });

  it('reads .jsonl as NDJSON, and --format over the extension', async () => {
    const jsonl = await write('people.jsonl', '{"email": "a@example.com"}');
    expect((await open(jsonl)).format).toBe('ndjson');
    const text = await write('people.txt', '[{"email": "a@example.com"}]');
    const input = await open(text, { format: 'json' });
    expect(input.reportBase).toBe(join(dir, 'people'));
    expect(await readAll(input)).toEqual([{ row: 1, values: { email: 'a@example.com' } }]);
  });

  it('reads a 10 MB string in an NDJSON line and in a JSON element', async () => {
    const big = 'y'.repeat(10 * 1024 * 1024);
    const ndjson = await write('big.ndjson', `{"notes": "${big}"}\n{"notes": "small"}\n`);
    expect((await readAll(await open(ndjson))).map((r) => (r.values['notes'] as string).length)).toEqual([big.length, 5]);
    const json = await write('big.json', `[{"notes": "${big}"}, {"notes": "small"}]`);
    expect((await readAll(await open(json))).map((r) => (r.values['notes'] as string).length)).toEqual([big.length, 5]);
  });
});

describe('encodings', () => {
  const text = 'email,given_name\nz@example.com,Zoë 😀\n';
  const expected = [{ row: 2, values: { email: 'z@example.com', given_name: 'Zoë 😀' } }];

  it.each([
    ['UTF-8 without BOM', Buffer.from(text, 'utf8')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
  ])('reads %s, hashing the bytes as they are', async (_name, bytes) => {
    const file = await write('z.csv', bytes);
    const input = await open(file);
    expect(input.columns).toEqual(['email', 'given_name']);
    expect(await readAll(input)).toEqual(expected);
    expect(input.hash).toBe(sha256(bytes));
  });

  it('reads UTF-8 characters split across read chunks', async () => {
    // 64 KiB is the read size: put multi-byte characters across every boundary of the first few chunks.
    const cell = 'é😀'.repeat(60_000);
    const file = await write('split.csv', `notes\n${cell}\n`);
    expect((await readAll(await open(file)))[0]!.values['notes']).toBe(cell);
  });

  it('refuses bytes that are not UTF-8, naming the line, with a hint to save as UTF-8', async () => {
    const file = await write(
      'latin.csv',
      Buffer.concat([Buffer.from('email,city\na@example.com,Berlin\nb@example.com,K'), Buffer.from([0xf6]), Buffer.from('ln\n')]),
    );
    const error = await inputError(file);
    expect(error.message).toMatch(/^latin\.csv, row 3: .*0xF6.*not UTF-8/);
    expect(error.row).toBe(3);
    expect(error.hint).toMatch(/UTF-8/);
  });

  it('refuses NUL characters (UTF-16 without a byte-order mark), naming the line', async () => {
    const file = await write('wide.csv', Buffer.from('email\na@example.com\n', 'utf16le'));
    const error = await inputError(file);
    expect(error.message).toMatch(/^wide\.csv, row 1: .*NUL/);
    expect(error.hint).toMatch(/UTF-8/);
  });
});

describe('stdin and other inputs read once', () => {
  it('copies stdin to a temporary file that rows() reads as often as needed and close() removes', async () => {
    const stdin = Readable.from([Buffer.from('email,given'), Buffer.from('_name\na@example.com,Ann\n')]);
    const input = await open('-', { stdin, format: 'csv' });
    expect(input).toMatchObject({ name: 'stdin', reportBase: join(dir, 'stdin'), columns: ['email', 'given_name'] });
    expect(input.path.startsWith(dir)).toBe(true);
    expect(input.hash).toBe(sha256(Buffer.from('email,given_name\na@example.com,Ann\n')));
    const first = await readAll(input);
    expect(first).toEqual([{ row: 2, values: { email: 'a@example.com', given_name: 'Ann' } }]);
    expect(await readAll(input)).toEqual(first);
    expect(existsSync(input.path)).toBe(true);
    await input.close();
    expect(existsSync(input.path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the copy of stdin when the input is refused', async () => {
    const error = await inputError('-', { stdin: Readable.from(['[1]']), format: 'json' });
    expect(error.message).toMatch(/^stdin, row 1: element 1 is a number, not an object/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('needs --format to read stdin', async () => {
    await expect(open('-', { stdin: Readable.from(['a\n1\n']) })).rejects.toThrow(UsageError);
    await expect(open('-', { stdin: Readable.from(['a\n1\n']) })).rejects.toThrow(/stdin.*--format/);
  });

  it('copies a named pipe, which can be read only once, and puts its reports in the current folder', async () => {
    const fifo = join(dir, 'pipe.ndjson');
    execFileSync('mkfifo', [fifo]);
    createWriteStream(fifo).end('{"email": "a@example.com"}\n');
    const input = await open(fifo);
    expect(input.reportBase).toBe(join(dir, 'pipe'));
    expect(await readAll(input)).toEqual([{ row: 1, values: { email: 'a@example.com' } }]);
    expect(await readAll(input)).toHaveLength(1);
  });
});

describe('options and paths that cannot be used', () => {
  it('refuses a name whose format it cannot tell, naming the file', async () => {
    const file = await write('contacts.xlsx', 'PK');
    const error = await open(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/contacts\.xlsx/);
    expect((error as UsageError).hint).toMatch(/--format/);
  });

  it('refuses an unknown --format and --delimiter, and --delimiter for JSON', async () => {
    const file = await write('a.csv', 'a\n1\n');
    await expect(open(file, { format: 'xml' })).rejects.toThrow(/--format xml/);
    await expect(open(file, { delimiter: '|' })).rejects.toThrow(/--delimiter "\|"/);
    const json = await write('a.json', '[{"a": 1}]');
    await expect(open(json, { delimiter: ';' })).rejects.toThrow(/--delimiter applies to CSV/);
  });

  it('refuses a missing file and a folder, naming them', async () => {
    expect((await inputError('missing.csv')).message).toMatch(/^missing\.csv: no such file/);
    expect((await inputError('.', { format: 'csv' })).message).toMatch(/^\.: is a folder/);
  });
});

describe('inputs that cannot be used', () => {
  it.each([
    [
      'unclosed quote',
      'q.csv',
      'email,notes\na@example.com,ok\nb@example.com,"open\nc@example.com,x\n',
      3,
      'notes',
      /quote opens here and is never closed/,
    ],
    ['quote in an unquoted cell', 'q.csv', 'email,notes\na@example.com,a 5" pipe\n', 2, 'notes', /quote is inside a cell/],
    ['text after a closing quote', 'q.csv', 'email,notes\na@example.com,"x" y\n', 2, 'notes', /text right after a closing quote/],
    [
      'a row with a cell too many',
      'r.csv',
      'email,notes\na@example.com,x\n\nb@example.com,x,y\n',
      4,
      undefined,
      /3 cells but the header has 2 columns/,
    ],
    ['a row with a cell too few', 'r.csv', 'email,notes\na@example.com\n', 2, undefined, /1 cells but the header has 2 columns/],
    ['an empty file', 'e.csv', '', undefined, undefined, /is empty/],
    ['blank lines only', 'e.csv', '\n\r\n\n', undefined, undefined, /is empty/],
    ['a header only', 'h.csv', 'email,notes\n', undefined, undefined, /no rows/],
    ['an empty header name', 'h.csv', 'email,,notes\na,b,c\n', 1, undefined, /column 2 has no name/],
    ['a duplicate header name', 'h.csv', 'email,notes,email\na,b,c\n', 1, 'email', /twice, as columns 1 and 3/],
    ['JSON that is not an array', 'j.json', '{"email": "a@example.com"}', undefined, undefined, /not a JSON array.*NDJSON/],
    ['a JSON element that is not an object', 'j.json', '[{"a": 1}, "x"]', 2, undefined, /element 2 is a string, not an object/],
    ['a JSON element that is not valid JSON', 'j.json', '[{"a": 1},\n{"a": 1,}]', 2, undefined, /element 2 is not valid JSON/],
    ['truncated JSON', 'j.json', '[{"a": 1}, {"a": "x', 2, undefined, /ends in element 2.*cut short/],
    ['JSON elements without a comma', 'j.json', '[{"a": 1} {"a": 2}]', 1, undefined, /expected "," or "]" after element 1/],
    ['text after the JSON array', 'j.json', '[{"a": 1}] x', undefined, undefined, /text after the array/],
    ['an empty JSON array', 'j.json', ' [ ] ', undefined, undefined, /no rows/],
    ['an empty JSON file', 'j.json', ' \n', undefined, undefined, /is empty/],
    ['an NDJSON line that is not JSON', 'n.ndjson', '{"a": 1}\n\n{"a": 1,}\n', 3, undefined, /line is not valid JSON/],
    ['an NDJSON line that is not an object', 'n.ndjson', '{"a": 1}\n[1]\n', 2, undefined, /line is an array, not an object/],
    ['an NDJSON file without records', 'n.ndjson', '\n \n', undefined, undefined, /is empty/],
  ])('%s', async (_what, name, content, row, column, message) => {
    const file = await write(name, content);
    const error = await inputError(file);
    const place = `${name}${row === undefined ? '' : `, row ${row}`}${column === undefined ? '' : `, column ${column}`}: `;
    expect(error.message.slice(0, place.length)).toBe(place);
    expect(error.message).toMatch(message);
    expect({ file: error.file, row: error.row, column: error.column }).toEqual({ file: name, row, column });
    expect(error.hint).toBeTruthy();
  });

  it('a CSV error far into the file surfaces from rows() as an InputError, after the rows before it', async () => {
    const file = await write('late.csv', `email,notes\n${'a@example.com,x\n'.repeat(1000)}b@example.com,x,extra\n`);
    const input = await open(file);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const row of input.rows()) seen.push(row.row);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1000);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^late\.csv, row 1002: /);
  });
});

describe('the corpus of bad inputs (test/fixtures/import-bad)', () => {
  const corpus = join(import.meta.dirname, '..', '..', 'fixtures', 'import-bad');
  // File -> the row its message names (null: the problem is the whole file).
  const expectedRows: Record<string, number | null> = {
    'unclosed-quote.csv': 3,
    'quote-in-unquoted-field.csv': 3,
    'text-after-closing-quote.csv': 3,
    'ragged-row.csv': 3,
    'ragged-row-missing-cell.csv': 3,
    'duplicate-header.csv': 1,
    'empty-header-name.csv': 1,
    'empty.csv': null,
    'blank-lines-only.csv': null,
    'header-only.csv': null,
    'latin1.csv': 3,
    'utf16-no-bom.csv': 1,
    'nul-bytes.csv': 3,
    'truncated-utf8.csv': 3,
    'utf16-bad-surrogate.csv': 2,
    'not-an-array.json': null,
    'array-of-numbers.json': 1,
    'truncated.json': 2,
    'empty-array.json': null,
    'element-not-json.json': 2,
    'missing-comma.json': 1,
    'text-after-array.json': null,
    'ndjson-bad-line.ndjson': 3,
    'ndjson-array-line.ndjson': 2,
    'blank-lines-only.ndjson': null,
  };

  it.each(Object.entries(expectedRows))('%s is refused, naming the file and the row', async (name, row) => {
    expect(readFileSync(join(corpus, name))).toBeDefined();
    const error = await inputError(name, { cwd: corpus });
    const place = row === null ? `${name}: ` : `${name}, row ${row}`;
    expect(error.message.slice(0, place.length)).toBe(place);
    expect(error.hint).toBeTruthy();
  });
});
