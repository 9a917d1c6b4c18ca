/**
 * The shapes the import engine's parts hand each other (DESIGN.md sections 2 and 3, issue #9):
 *
 *   input.ts    a file (or stdin) -> rows, streamed, as often as needed (validate, apply, report)
 *   mapping.ts  columns -> body properties, path fields and extras; a row -> a request body
 *   validate.ts a mapped body -> problems (types, enums, required, rules, never-true booleans)
 *   group.ts    rows sharing a group column (order_ref) -> one body with an item array
 *   lookup.ts   natural keys (emails, SKUs, tag names) -> Keap ids, through the API, cached
 *   journal.ts  what was sent (and when) and what came of it, durable, for --resume
 *   resolve.ts  the end of a run: unknown rows looked up by natural key, sent again only if absent
 *   reports.ts  the error report and the results file, written from the input and the outcomes
 *   run.ts      the orchestration: runImport(request) -> ImportOutcome
 */

import type { CsvDialect } from './dialect.js';

export type InputFormat = 'csv' | 'json' | 'ndjson';

/** One record of the input as read, before any mapping. */
export interface InputRow {
  /**
   * Where the row is, for `_row` and messages: CSV, the line number of the record's first line
   * (the header is line 1); NDJSON, its line number; JSON, its 1-based position in the array.
   */
  row: number;
  /**
   * CSV: cell text by column name, in header order (null for an empty unquoted cell, '' for `""`).
   * JSON/NDJSON: the object as parsed.
   */
  values: Record<string, unknown>;
}

/** Where a problem is, for messages and the error report. */
export interface Place {
  /** The input as the user named it (`-` shows as `stdin`). */
  file: string;
  row?: number;
  column?: string;
}

/** The one input of a run, opened and checked; rows are streamed anew on every call. */
export interface ImportInput {
  /** As the user named it; `stdin` for `-`. */
  name: string;
  /** The file that is read: the input itself, or a temporary copy of stdin. */
  path: string;
  format: InputFormat;
  /** CSV only: the delimiter in use (`,` or `;`). */
  delimiter?: string;
  /** CSV only: its byte-order mark and line ends, which the reports keep. */
  dialect?: CsvDialect;
  /** Constant columns (`--set`, a mapping file's `set`), added to every row; the reports leave them out. */
  constants?: ReadonlyMap<string, unknown>;
  /** sha256 (hex) of the input's bytes: ties a journal to exactly this input. */
  hash: string;
  /**
   * Column names in order: the CSV header; for JSON/NDJSON the top-level keys of all records in
   * first-seen order. Duplicates are refused when the input is opened.
   */
  columns: string[];
  /**
   * Report paths without extension (`/data/orders` for `/data/orders.csv`; `./stdin` in the current
   * folder for `-`): reports are `<base>.errors.<ext>` and `<base>.results.<ext>`.
   */
  reportBase: string;
  /** Streams every row in order. Throws InputError (exit 2) naming the file, row and column. */
  rows(): AsyncIterable<InputRow>;
  /** Removes the temporary copy of stdin, if any. */
  close(): Promise<void>;
}

export type ImportActionKind = 'create' | 'update' | 'upsert' | 'delete';

/**
 * What became of one unit of work (a row, or a group of rows sent as one body):
 *  - created/updated/deleted: Keap did it (`id` of the record when known);
 *  - skipped: not tried (after --max-errors, or --only-created on a row that was not created);
 *  - failed: Keap refused it (`httpStatus`, `error` is Keap's message);
 *  - invalid: refused by validation before anything was sent;
 *  - unknown: sent, but whether Keap acted is not known; never sent again blindly (resolve.ts);
 *  - unchanged: the record already holds the row's values, so nothing was sent (a success).
 */
export type OutcomeStatus = 'created' | 'updated' | 'deleted' | 'skipped' | 'failed' | 'invalid' | 'unknown' | 'unchanged';

export interface RowOutcome {
  /** The unit's first row (for a group, its lowest row number). */
  row: number;
  status: OutcomeStatus;
  id?: string | number;
  /** The HTTP status Keap answered with, for failed rows. */
  httpStatus?: number;
  /** The column (or field) the problem is in, when known. */
  field?: string;
  /** Keap's message or ours. */
  error?: string;
  /** Skipped on purpose (`--on-duplicate first|last`, `--only-created`): not an error to report. */
  intended?: boolean;
}

/** What ties a journal to one import: refused on --resume when any of it differs. */
export interface JournalIdentity {
  inputHash: string;
  resource: string;
  action: ImportActionKind;
  profile: string;
  apiUrl: string;
}

/** `--lookup FIELD=RESOURCE.KEY`: the values in FIELD are KEYs of RESOURCE, resolved to its ids. */
export interface LookupSpec {
  /** The body or path field that receives the id (`contact_id`, `order_items.product_id`, `tag_id`). */
  field: string;
  /** The catalog name of the resource searched (`contacts`). */
  resource: string;
  /** The natural key (`email`, `sku`, `name`). */
  key: string;
}

/** A lookup's answer for one value: the id, or why there is none (no match, several). */
export type LookupResult = { id: number } | { error: string };
