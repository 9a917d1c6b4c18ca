/**
 * The files an import gives back (DESIGN.md section 3, Import; issue #9), written in the input's
 * format from one streaming pass over the input and the rows' outcomes:
 *
 * - the results file: every row as read, plus `_row`, `_action` (what became of it) and `_id`;
 *   `import RESOURCE NAME.results.csv --action delete --only-created` undoes an import;
 * - the error report: the rows that failed, were invalid, unknown or skipped, plus `_row`,
 *   `_status`, `_field` and `_error`; fixed, it imports again as it is. Written only when there is
 *   such a row.
 *
 * Input columns starting with `_` are left out (a report fed back gets fresh ones), except that a
 * report fed back keeps pointing at the original file: its `_row` (or `_source_row`) becomes
 * `_source_row`. CSV cells are written back exactly as read (null empty and unquoted, '' as `""`),
 * with the input's delimiter, byte-order mark and line ends.
 * Each file goes to a temporary file renamed when complete (openOutput), so a failure midway leaves
 * no half report; `-` or a pipe is written in place.
 */
import { lstat, open, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError, UsageError } from '../../errors.js';
import { inspectOutput, type Output, openOutput, writeError } from '../../fs/index.js';
import type { CsvDialect } from './dialect.js';
import type { ImportInput, InputFormat, OutcomeStatus, RowOutcome } from './types.js';

export interface ReportPaths {
  errors: string;
  results: string;
}

export interface ReportCounts {
  errorRows: number;
  resultRows: number;
}

/** Outcomes that put a row into the error report: something the user should look at. */
const REPORTED: ReadonlySet<OutcomeStatus> = new Set(['failed', 'invalid', 'unknown', 'skipped']);
const RESULT_COLUMNS = ['_row', '_action', '_id'] as const;
const ERROR_COLUMNS = ['_row', '_status', '_field', '_error'] as const;
/** The original file's row of a row read from a report (issue 13, item 12). */
const SOURCE_ROW = '_source_row';

/** A report's row: its original row when the input is itself a report, else nothing. */
function sourceRowOf(values: Record<string, unknown>): unknown {
  for (const column of [SOURCE_ROW, '_row']) {
    const value = values[column];
    if (value !== null && value !== undefined && String(value).trim() !== '') return value;
  }
  return null;
}

/**
 * Where the reports go: `--errors` / `--results` when given, else `<reportBase>.errors.<ext>` and
 * `<reportBase>.results.<ext>` in the input's format. A report over the input itself, or both
 * reports on one file, is refused.
 */
export function reportPaths(input: ImportInput, flags: { errors?: string; results?: string }): ReportPaths {
  const paths: ReportPaths = {
    errors: flags.errors ?? `${input.reportBase}.errors.${input.format}`,
    results: flags.results ?? `${input.reportBase}.results.${input.format}`,
  };
  for (const kind of ['errors', 'results'] as const) {
    if (paths[kind] !== '-' && resolve(paths[kind]) === resolve(input.path)) {
      throw new UsageError(`--${kind} ${paths[kind]} is the input file itself: the report would replace it`, {
        hint: `name another file with --${kind}`,
      });
    }
  }
  if (paths.errors !== '-' && resolve(paths.errors) === resolve(paths.results)) {
    throw new UsageError(`--errors and --results both name ${paths.errors}`, { hint: 'give each report its own file' });
  }
  return paths;
}

/**
 * Checks that the reports can be written, opening and truncating nothing: the engine calls it
 * before the first request, so a bad `--errors` or `--results` (a missing folder, no permission) is
 * refused before anything reaches Keap rather than after. Throws writeError's UsageError naming the path.
 */
export async function checkReportPaths(paths: ReportPaths, options: { results?: boolean } = {}): Promise<void> {
  await inspectOutput(paths.errors);
  if (options.results !== false) await inspectOutput(paths.results);
}

/**
 * Writes the results file (unless `options.results` is false) and, when some row failed, was
 * invalid, unknown or skipped, the error report. `outcomeOf` gives each row's outcome; a row without
 * one gets an empty `_action`. On any failure both files are discarded and the error thrown:
 * writeError's (naming the path) for a report that cannot be written, InputError for the input.
 */
export async function writeReports(
  input: ImportInput,
  outcomeOf: (row: number) => RowOutcome | undefined,
  paths: ReportPaths,
  options: { results?: boolean; stdout?: Writable } = {},
): Promise<ReportCounts> {
  const columns = input.columns.filter((column) => !column.startsWith('_') && !input.constants?.has(column));
  const fromReport = input.columns.includes(SOURCE_ROW) || input.columns.includes('_row');
  const source = fromReport ? [SOURCE_ROW] : [];
  const open = (path: string, extraNames: readonly string[]) =>
    openReport(input, path, columns, [...source, ...extraNames], options.stdout);
  const counts: ReportCounts = { errorRows: 0, resultRows: 0 };
  let results: ReportFile | undefined;
  let errors: ReportFile | undefined;
  try {
    if (options.results !== false) results = await open(paths.results, RESULT_COLUMNS);
    for await (const { row, values } of input.rows()) {
      const outcome = outcomeOf(row);
      const sourceCells = fromReport ? [sourceRowOf(values)] : [];
      if (results) {
        await results.write(values, [...sourceCells, row, outcome?.status ?? null, outcome?.id ?? null]);
        counts.resultRows++;
      }
      if (outcome && REPORTED.has(outcome.status) && !outcome.intended) {
        // Opened at the first such row: no error report at all when every row went through.
        errors ??= await open(paths.errors, ERROR_COLUMNS);
        await errors.write(values, [...sourceCells, row, errorStatus(outcome), outcome.field ?? null, outcome.error ?? null]);
        counts.errorRows++;
      }
    }
    await errors?.commit();
    await results?.commit();
    if (!errors) await removeStaleReport(paths.errors);
  } catch (error) {
    await errors?.abort();
    await results?.abort();
    throw error;
  }
  return counts;
}

/**
 * A run where nothing failed leaves no error report, so one left at that path by an earlier run
 * would be read as this run's. It is removed, but only when it is a regular file whose first line
 * is an error report's (its `_status` and `_error` columns or keys): never someone else's file.
 */
export async function removeStaleReport(path: string): Promise<void> {
  if (path === '-') return;
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile()) return;
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  let head = '';
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    // A CSV report's header is its first line; a JSON or NDJSON report's first record carries the keys.
    head = path.endsWith('.csv') ? (text.split('\n')[0] ?? '') : (text.split('}')[0] ?? '');
  } finally {
    await handle.close();
  }
  if (/(^|[,;\t"])_status\b/.test(head) && /(^|[,;\t"])_error\b/.test(head)) await unlink(path).catch(() => undefined);
}

/** `_status`: Keap's HTTP status for a failed row, else what became of the row. */
function errorStatus(outcome: RowOutcome): string | number {
  return outcome.status === 'failed' && outcome.httpStatus !== undefined ? outcome.httpStatus : outcome.status;
}

/** Characters buffered before a write to the stream: large enough to be cheap, small enough to stay flat. */
const CHUNK_CHARS = 64 * 1024;

interface ReportFile {
  /** Writes one row: its input values (columns starting with `_` left out), then the report's own cells. */
  write(values: Record<string, unknown>, extra: readonly unknown[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens one report and writes its start (the CSV header, the JSON array's bracket). */
async function openReport(
  input: ImportInput,
  path: string,
  ownColumns: readonly string[],
  extraNames: readonly string[],
  stdout?: Writable,
): Promise<ReportFile> {
  const output = await openOutput(path, stdout ? { stdout } : {});
  const format = formatOf(input);
  let buffer = format.start([...ownColumns, ...extraNames]);
  let count = 0;
  const flush = async () => {
    const text = buffer;
    buffer = '';
    if (text) await writeText(output, path, text);
  };
  return {
    async write(values, extra) {
      buffer += format.record(values, ownColumns, extraNames, extra, count++);
      if (buffer.length >= CHUNK_CHARS) await flush();
    },
    async commit() {
      buffer += format.end(count);
      await flush();
      await output.commit();
    },
    abort: () => output.abort(),
  };
}

/** How one format starts, writes a record and ends. */
interface ReportFormat {
  start(columns: readonly string[]): string;
  record(
    values: Record<string, unknown>,
    columns: readonly string[],
    extraNames: readonly string[],
    extra: readonly unknown[],
    index: number,
  ): string;
  end(count: number): string;
}

function formatOf(input: ImportInput): ReportFormat {
  const kinds: Record<InputFormat, () => ReportFormat> = {
    csv: () => csvFormat(input.delimiter ?? ',', input.dialect),
    json: () => jsonFormat(true, input.constants),
    ndjson: () => jsonFormat(false, input.constants),
  };
  return kinds[input.format]();
}

function csvFormat(delimiter: string, dialect: CsvDialect | undefined): ReportFormat {
  const lineEnding = dialect?.lineEnding ?? '\n';
  return {
    start: (columns) => `${dialect?.bom ? '\uFEFF' : ''}${csvRecord(columns, delimiter, lineEnding)}`,
    record: (values, columns, _names, extra) => csvRecord([...columns.map((column) => values[column]), ...extra], delimiter, lineEnding),
    end: () => '',
  };
}

/** JSON (one array, `json`) or NDJSON records: the input's own keys, `_` ones left out, then the report's. */
function jsonFormat(array: boolean, constants: ReadonlyMap<string, unknown> | undefined): ReportFormat {
  return {
    start: () => '',
    record(values, _columns, extraNames, extra, index) {
      const record: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(values)) if (!key.startsWith('_') && !constants?.has(key)) record[key] = value;
      extraNames.forEach((name, i) => {
        record[name] = extra[i];
      });
      const line = JSON.stringify(record);
      if (!array) return `${line}\n`;
      return index === 0 ? `[\n${line}` : `,\n${line}`;
    },
    end: (count) => (!array ? '' : count === 0 ? '[]\n' : '\n]\n'),
  };
}

/**
 * One CSV record with its line end (LF unless told), quoted as csvLine quotes (RFC 4180) but with the input's delimiter:
 * null or missing is an empty unquoted cell, '' is `""`, and a cell holding the delimiter, a quote
 * or a line break is quoted. So the report parses back to exactly the cells that were read.
 */
export function csvRecord(cells: readonly unknown[], delimiter: string, lineEnding = '\n'): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += delimiter;
    const cell = cells[i];
    if (cell === null || cell === undefined) continue;
    const text = typeof cell === 'string' ? cell : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
    if (text === '') line += '""';
    else if (text.includes(delimiter) || /["\r\n]/.test(text)) line += `"${text.replace(/"/g, '""')}"`;
    else line += text;
  }
  return `${line}${lineEnding}`;
}

/** Writes `text`, waiting for 'drain' when the stream's buffer is full. */
async function writeText(output: Output, path: string, text: string): Promise<void> {
  const stream = output.stream;
  try {
    if (stream.destroyed) throw stream.errored ?? new Error('the output was closed');
    if (stream.write(text)) return;
    await new Promise<void>((done, fail) => {
      const settle = (error?: Error | null) => {
        stream.off('drain', onDrain);
        stream.off('error', settle);
        stream.off('close', onClose);
        if (error) fail(error);
        else done();
      };
      const onDrain = () => settle();
      const onClose = () => settle(stream.errored ?? new Error('the output was closed'));
      stream.on('drain', onDrain);
      stream.on('error', settle);
      stream.on('close', onClose);
    });
  } catch (error) {
    throw error instanceof CliError ? error : writeError(path, error);
  }
}
