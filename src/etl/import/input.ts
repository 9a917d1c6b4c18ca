/**
 * The import's input (issue #9): a CSV, JSON or NDJSON file, or stdin, opened and checked once,
 * then streamed as rows as often as the run needs (validation, apply, reports) with the memory of
 * one row. stdin, and anything else that can be read only once (a named pipe, `<(gunzip -c x)`),
 * is copied to a private temporary file first.
 *
 * Opening reads every byte once: the sha256 that ties a journal to this input, the encoding
 * checks (text.ts), and for JSON/NDJSON every record, for the column list and early syntax errors.
 * A CSV's records are checked by the first full pass of `rows()` (the run's validation pass).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Options as ParseOptions, parse } from 'csv-parse';
import { UsageError } from '../../errors.js';
import { errorCode, writeError } from '../../fs/index.js';
import { InputError } from '../errors.js';
import { type CsvDialect, lineEndingOf, startsWithBom } from './dialect.js';
import { JsonArraySplitter } from './json-array.js';
import { readText, type TextOptions } from './text.js';
import type { ImportInput, InputFormat, InputRow } from './types.js';

export interface InputOptions {
  /** --format; else from the extension (.csv, .tsv, .json, .ndjson, .jsonl); else a usage error naming the file. */
  format?: string;
  /** --delimiter (`,` `;` or a tab); else detected from the header line (`;` when it has more `;` than `,` outside quotes). */
  delimiter?: string;
  /** Where `-` reads from (the CLI's IO.stdin). */
  stdin: NodeJS.ReadableStream;
  /** Folder for the temporary copy of stdin (default os.tmpdir()). */
  tempDir?: string;
  /** What a relative path (and the report base of stdin) is relative to (default process.cwd()). */
  cwd?: string;
}

const FORMATS: Record<string, InputFormat> = { csv: 'csv', tsv: 'csv', json: 'json', ndjson: 'ndjson', jsonl: 'ndjson' };
const DELIMITERS: Record<string, string> = { ',': ',', ';': ';', '\t': '\t', '\\t': '\t', tab: '\t' };
const EMPTY_HINT = 'Check that you named the right file and that whatever wrote it finished, then run again.';

function formatOf(file: string, format: string | undefined): InputFormat {
  if (format !== undefined) {
    const known = FORMATS[format.toLowerCase()];
    if (!known) throw new UsageError(`--format ${format} is not an input format`, { hint: 'Use --format csv, json or ndjson.' });
    return known;
  }
  if (file === '-') throw new UsageError('reading stdin (-) needs --format', { hint: 'Add --format csv, json or ndjson.' });
  const known = FORMATS[extname(file).slice(1).toLowerCase()];
  if (!known) {
    throw new UsageError(`cannot tell the format of ${file} from its name`, {
      hint: 'Name it .csv, .json or .ndjson, or add --format csv, json or ndjson.',
    });
  }
  return known;
}

function delimiterOf(file: string, format: InputFormat, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined) return extname(file).toLowerCase() === '.tsv' ? '\t' : undefined;
  if (format !== 'csv') throw new UsageError(`--delimiter applies to CSV input only, and ${file === '-' ? 'stdin' : file} is ${format}`);
  const known = DELIMITERS[delimiter.toLowerCase()];
  if (!known)
    throw new UsageError(`--delimiter ${JSON.stringify(delimiter)} is not supported`, {
      hint: "Use --delimiter ',' or ';' or '\\t' (a tab).",
    });
  return known;
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * The header line's delimiter: `;` when it has more `;` than `,` outside quotes, else `,`.
 * Undefined while `head` holds no complete line yet (unless `final`).
 */
function headerDelimiter(head: string, final: boolean): string | undefined {
  let quoted = false;
  let commas = 0;
  let semicolons = 0;
  let content = false;
  for (let i = 0; i < head.length; i++) {
    const char = head[i];
    if (char === '"') quoted = !quoted;
    if (quoted) continue;
    if (char === '\n' || char === '\r') {
      if (content) return semicolons > commas ? ';' : ',';
    } else {
      content = true;
      if (char === ',') commas++;
      else if (char === ';') semicolons++;
    }
  }
  return final ? (semicolons > commas ? ';' : ',') : undefined;
}

/** Line breaks inside a record's (quoted) cells: what makes it span several lines. */
function lineBreaksIn(cells: readonly (string | null)[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (!cell) continue;
    for (let at = cell.indexOf('\n'); at !== -1; at = cell.indexOf('\n', at + 1)) breaks++;
    for (let at = cell.indexOf('\r'); at !== -1; at = cell.indexOf('\r', at + 1)) if (cell[at + 1] !== '\n') breaks++;
  }
  return breaks;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

function csvProblem(
  file: string,
  error: CsvError,
  row: number,
  header: readonly (string | null)[] | undefined,
  delimiter: string,
): InputError {
  const index = typeof error.index === 'number' ? error.index : undefined;
  const column = header && index !== undefined ? (header[index] ?? undefined) : undefined;
  const place = { file, row, column: column || undefined };
  const quoteHint =
    'A cell with a quote, delimiter or line break must be in quotes, with each quote inside it doubled: "5"" pipe". Fix the file and run again.';
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputError(place, 'a quote opens here and is never closed, so the rest of the file would be one cell', {
        hint: quoteHint,
      });
    case 'INVALID_OPENING_QUOTE':
      return new InputError(place, 'a quote is inside a cell that does not start with one', { hint: quoteHint });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new InputError(place, 'there is text right after a closing quote', { hint: quoteHint });
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const cells = Array.isArray(error.record) ? error.record.length : undefined;
      return new InputError(
        { file, row },
        `the row has ${cells ?? 'a different number of'} cells but the header has ${header?.length ?? 'another number of'} columns (delimiter: ${DELIMITER_NAMES[delimiter]})`,
        {
          hint: 'Every row needs one cell per header column: look for a missing or extra delimiter, or one inside a cell that is not quoted (or pass --delimiter).',
        },
      );
    }
    default:
      return new InputError(place, `is not valid CSV: ${error.message}`);
  }
}

/**
 * Makes each empty cell that was not quoted null, as csvParseOptions' cast does for export's
 * round trip (`,,` leaves a field alone, `,"",` clears it), from the record's raw text: that cast
 * costs csv-parse an info object per cell, several times the cost of parsing. `raw` is text the
 * parser accepted: a quoted cell ends at a quote not doubled, an unquoted one at the delimiter.
 */
function nullUnquotedEmpties(cells: (string | null)[], raw: string, delimiter: string): void {
  let at = 0;
  // Blank lines skipped before the record, and the end of the previous record's CRLF, come first.
  while (raw[at] === '\r' || raw[at] === '\n') at++;
  for (let field = 0; field < cells.length; field++) {
    if (raw[at] === '"') {
      let quote = raw.indexOf('"', at + 1);
      while (quote !== -1 && raw[quote + 1] === '"') quote = raw.indexOf('"', quote + 2);
      at = quote === -1 ? raw.length : quote + 1;
    } else {
      if (cells[field] === '') cells[field] = null;
      const next = raw.indexOf(delimiter, at);
      at = next === -1 ? raw.length : next;
    }
    at += delimiter.length;
  }
}

interface CsvRecord {
  cells: (string | null)[];
  /** The line the record starts on. */
  row: number;
}

/**
 * Every record of a CSV, the header first, each with the line it starts on (blank lines are
 * skipped, and a quoted line break makes a record span lines: both are counted).
 */
async function* csvRecords(path: string, file: string, delimiter: string, options: TextOptions = {}): AsyncGenerator<CsvRecord> {
  // Lines are counted as the parser makes each record (on_record runs in step with it): a stream
  // that fails drops the records it had not handed over yet, and the error's row is counted on
  // from the last record made, not the last one read.
  let endLine = 0;
  let emptyLines = 0;
  let header: (string | null)[] | undefined;
  const onRecord = (parsed: { record: (string | null)[]; raw: string }, info: { empty_lines: number }): CsvRecord => {
    const cells = parsed.record;
    if (cells.includes('')) nullUnquotedEmpties(cells, parsed.raw, delimiter);
    const row = endLine + 1 + (info.empty_lines - emptyLines);
    emptyLines = info.empty_lines;
    endLine = row + lineBreaksIn(cells);
    header ??= cells;
    return { cells, row };
  };
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    delimiter,
    // Any line ending, even mixed (a file edited on two systems), never a stray \r in the last cell.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: false,
    // The record's text, to tell `,,` from `,"",` (see nullUnquotedEmpties).
    raw: true,
    // csv-parse's typings want on_record to return the record type it was given.
    on_record: onRecord as unknown as ParseOptions['on_record'],
  });
  const source = Readable.from(readText(path, file, options));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const emptyBefore = typeof error.empty_lines === 'number' ? error.empty_lines : emptyLines;
    throw csvProblem(file, error, endLine + 1 + (emptyBefore - emptyLines), header, delimiter);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** How many columns a header names: Excel saves trailing columns with no name (their cells are checked in csvRows). */
function namedWidth(cells: readonly (string | null)[]): number {
  let width = cells.length;
  while (width > 1 && (cells[width - 1] ?? '').trim() === '') width--;
  return width;
}

/** The header's names, refused when one is empty (before the trailing unnamed columns) or repeated. */
function checkHeader(file: string, header: CsvRecord): string[] {
  const names: string[] = [];
  const positions = new Map<string, number>();
  header.cells.slice(0, namedWidth(header.cells)).forEach((cell, i) => {
    const name = cell ?? '';
    if (name.trim() === '') {
      throw new InputError({ file, row: header.row }, `the header's column ${i + 1} has no name`, {
        hint: 'Name every column of the header (or delete the empty column), then run again.',
      });
    }
    const first = positions.get(name);
    if (first !== undefined) {
      throw new InputError(
        { file, row: header.row, column: name },
        `the header names this column twice, as columns ${first + 1} and ${i + 1}`,
        {
          hint: 'Every column name must be unique: rename or delete one of them, then run again.',
        },
      );
    }
    positions.set(name, i);
    names.push(name);
  });
  return names;
}

/** Reads the header and checks one row follows it. */
async function csvHeader(path: string, file: string, delimiter: string): Promise<string[]> {
  let header: CsvRecord | undefined;
  for await (const record of csvRecords(path, file, delimiter)) {
    if (header) return checkHeader(file, header);
    header = record;
  }
  if (!header) throw new InputError({ file }, 'is empty', { hint: EMPTY_HINT });
  checkHeader(file, header);
  throw new InputError({ file }, 'has no rows, only a header', { hint: 'Add the rows to import below the header, then run again.' });
}

/** A cell set as an own property, even one named `__proto__`. */
function setCell(values: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
  else values[name] = value;
}

async function* csvRows(path: string, file: string, delimiter: string, columns: readonly string[]): AsyncGenerator<InputRow> {
  let first = true;
  for await (const { cells, row } of csvRecords(path, file, delimiter)) {
    if (first) {
      first = false;
      continue;
    }
    const values: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) setCell(values, columns[i]!, cells[i]);
    for (let i = columns.length; i < cells.length; i++) {
      const cell = cells[i];
      if (cell === null || cell === undefined || cell.trim() === '') continue;
      throw new InputError(
        { file, row },
        `column ${i + 1} has no name in the header but holds "${cell.length > 40 ? `${cell.slice(0, 37)}...` : cell}"`,
        {
          hint: 'Name that column in the header (or delete its cells), then run again.',
        },
      );
    }
    yield { row, values };
  }
}

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

const NDJSON_HINT = 'An NDJSON input has one JSON object per line: {"email": "a@example.com"}. Fix the line and run again.';

function ndjsonLine(file: string, text: string, line: number): InputRow | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError({ file, row: line }, `the line is not valid JSON (${(error as Error).message})`, { hint: NDJSON_HINT });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError({ file, row: line }, `the line is ${kindOf(value)}, not an object`, { hint: NDJSON_HINT });
  }
  return { row: line, values: value as Record<string, unknown> };
}

async function* ndjsonRows(path: string, file: string, options: TextOptions = {}): AsyncGenerator<InputRow> {
  let carry = '';
  let line = 0;
  let rows = 0;
  for await (const text of readText(path, file, options)) {
    let from = 0;
    // Only the new chunk is searched, so a long line costs its length once, not once per chunk.
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', from)) {
      const row = ndjsonLine(file, carry + text.slice(from, at), ++line);
      carry = '';
      from = at + 1;
      if (row) {
        rows++;
        yield row;
      }
    }
    carry += text.slice(from);
  }
  const last = ndjsonLine(file, carry, ++line);
  if (last) {
    rows++;
    yield last;
  }
  if (rows === 0) throw new InputError({ file }, 'is empty: it has no lines with a record', { hint: EMPTY_HINT });
}

async function* jsonRows(path: string, file: string, options: TextOptions = {}): AsyncGenerator<InputRow> {
  const splitter = new JsonArraySplitter(file);
  for await (const text of readText(path, file, options)) {
    for (const element of splitter.push(text)) yield { row: element.index, values: element.value };
  }
  splitter.end();
  if (!splitter.started) throw new InputError({ file }, 'is empty', { hint: EMPTY_HINT });
}

// ---------------------------------------------------------------------------------------------
// Opening

interface Scan {
  hash: string;
  columns: string[];
  delimiter?: string;
  dialect?: CsvDialect;
}

/** The pass over every byte when opening: the hash, the encoding, and what the format needs. */
async function scan(path: string, file: string, format: InputFormat, delimiter: string | undefined): Promise<Scan> {
  const hash = createHash('sha256');
  let start = Buffer.alloc(0);
  const onBytes = (bytes: Buffer) => {
    hash.update(bytes);
    if (start.length < 3) start = Buffer.concat([start, bytes.subarray(0, 3)]);
  };
  if (format === 'csv') {
    let head = '';
    let detected = delimiter;
    let lineEnding: CsvDialect['lineEnding'] | undefined;
    for await (const text of readText(path, file, { onBytes })) {
      if ((detected && lineEnding) || head.length > 1 << 20) continue;
      head += text;
      // A header without a line end in its first megabyte is not a header; decide from what there is.
      detected ??= headerDelimiter(head, head.length > 1 << 20);
      lineEnding ??= lineEndingOf(head);
    }
    detected ??= headerDelimiter(head, true);
    const columns = await csvHeader(path, file, detected!);
    const dialect: CsvDialect = { bom: startsWithBom(start), lineEnding: lineEnding ?? '\n' };
    return { hash: hash.digest('hex'), columns, delimiter: detected!, dialect };
  }
  const columns = new Set<string>();
  let rows = 0;
  for await (const row of (format === 'json' ? jsonRows : ndjsonRows)(path, file, { onBytes })) {
    rows++;
    for (const key of Object.keys(row.values)) columns.add(key);
  }
  if (rows === 0)
    throw new InputError({ file }, 'has no rows: the array is empty', { hint: 'Put the records to import in the array, then run again.' });
  return { hash: hash.digest('hex'), columns: [...columns] };
}

/** Copies what can be read only once to a private temporary folder; returns the folder. */
async function copyToTemp(source: NodeJS.ReadableStream, file: string, tempRoot: string): Promise<string> {
  const dir = await mkdtemp(join(tempRoot, 'infusionsoft-input-'));
  const copy = join(dir, 'input');
  const target = createWriteStream(copy, { mode: 0o600 });
  let readFailed: unknown;
  source.once('error', (error) => {
    readFailed = error;
  });
  try {
    await pipeline(source, target);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (readFailed !== undefined) throw new InputError({ file }, `cannot be read (${(readFailed as Error).message})`);
    throw writeError(copy, error);
  }
  return dir;
}

interface Located {
  path: string;
  reportBase: string;
  /** The temporary folder holding a copy, removed on close. */
  tempDir?: string;
}

async function locate(file: string, options: InputOptions): Promise<Located> {
  const cwd = options.cwd ?? process.cwd();
  const tempRoot = options.tempDir ?? tmpdir();
  if (file === '-') {
    const dir = await copyToTemp(options.stdin, 'stdin', tempRoot);
    return { path: join(dir, 'input'), reportBase: join(cwd, 'stdin'), tempDir: dir };
  }
  const path = resolve(cwd, file);
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(path);
  } catch (error) {
    const why = errorCode(error) === 'ENOENT' ? 'no such file' : `cannot be read (${errorCode(error) ?? (error as Error).message})`;
    throw new InputError({ file }, why, { hint: 'Check the path, then run again.' });
  }
  if (stats.isDirectory()) throw new InputError({ file }, 'is a folder, not a file', { hint: 'Name the file to import.' });
  const withoutExtension = (p: string) => p.slice(0, p.length - extname(p).length);
  if (stats.isFile()) return { path, reportBase: withoutExtension(path) };
  // A pipe or a device is gone once read; reports go beside where the user is, not into /dev.
  const dir = await copyToTemp(createReadStream(path), file, tempRoot);
  return { path: join(dir, 'input'), reportBase: join(cwd, withoutExtension(basename(path))), tempDir: dir };
}

/**
 * Opens the import's input (`-` for stdin) and checks it: format, encoding, header or records.
 * Throws UsageError for bad options and InputError (exit 2, naming file, row and column) for an
 * input that cannot be used. `close()` the result when done.
 */
export async function openInput(file: string, options: InputOptions): Promise<ImportInput> {
  const format = formatOf(file, options.format);
  const delimiterOption = delimiterOf(file, format, options.delimiter);
  const name = file === '-' ? 'stdin' : file;
  const located = await locate(file, options);
  const close = async () => {
    if (located.tempDir) await rm(located.tempDir, { recursive: true, force: true });
  };
  let scanned: Scan;
  try {
    scanned = await scan(located.path, name, format, delimiterOption);
  } catch (error) {
    await close();
    throw error;
  }
  const { path } = located;
  const { columns, delimiter } = scanned;
  const rows = (): AsyncIterable<InputRow> =>
    format === 'csv' ? csvRows(path, name, delimiter!, columns) : format === 'json' ? jsonRows(path, name) : ndjsonRows(path, name);
  return {
    name,
    path,
    format,
    ...(delimiter === undefined ? {} : { delimiter }),
    ...(scanned.dialect ? { dialect: scanned.dialect } : {}),
    hash: scanned.hash,
    columns,
    reportBase: located.reportBase,
    rows,
    close,
  };
}
