/**
 * The shapes of an export: what is asked (`ExportRequest`), what planning settles (`ExportPlan`),
 * and what a run returns (`ExportResult`, `ExportOutcome`, with the change tracker's
 * `IncrementalOutcome`). Every phase imports them from here, so none imports another for its types.
 */
import type { Writable } from 'node:stream';
import type { Query } from '../../api/types.js';
import type { IncrementalMode } from '../../catalog/index.js';
import type { ActionDef, GatheredDef, ResourceDef } from '../../catalog/types.js';
import type { GatherMode } from './gather-estimate.js';
import type { WalkPlan } from './walk.js';
import type { ExportFormat } from './writers.js';

export type { ExportFormat } from './writers.js';

/** `--include custom_fields` asks for custom fields where they cost a request per record. */
export const CUSTOM_FIELDS_INCLUDE = 'custom_fields';

export interface ExportRequest {
  resource: ResourceDef;
  format: ExportFormat;
  /** `-o FILE`; undefined or `-` means stdout. */
  output?: string;
  /** Compress the output with gzip (`-o FILE.gz`). */
  gzip?: boolean;
  /** `--force`: replace an `-o` file even when it is read-only. */
  force?: boolean;
  /** `--json`: the run's result goes to stdout, so the data must not (`-o /dev/stdout` is refused). */
  resultOnStdout?: boolean;
  /** `--state-key NAME`: the job's name in the state file, instead of one built from its flags. */
  stateKey?: string;
  /** How long to wait for another run holding the state file's lock (default 30 s). */
  lockWaitMs?: number;
  fields?: string[];
  include?: string[];
  /** ISO-8601 with milliseconds (already normalised by the command). */
  since?: string;
  until?: string;
  where?: Array<[string, string]>;
  params?: Array<[string, string]>;
  /** `--action ID`: the read action to use, instead of the one the `--param` names select. */
  action?: string;
  max?: number;
  pageSize?: number;
  stateFile?: string;
  fullRefresh?: boolean;
  /** `--deleted FILE`: the keys of records gone since the last --state run. */
  deletedFile?: string;
  /** `--detect-deletes`: sweep the ids (resources bookmarked by update time) to find deleted records. */
  detectDeletes?: boolean;
  /** Gathered-field requests in flight at once (the client still paces them). */
  concurrency?: number;
  /** `--gather`: read an invertible gathered field per record, from its inverse lists, or whichever costs fewer requests (default). */
  gather?: GatherMode;
  /** Pages fetched ahead of the writer. */
  prefetch?: number;
  signal?: AbortSignal;
  /** Where the data goes without -o (or with `-o -`): the CLI's stdout; process.stdout when not given. */
  stdout?: Writable;
  /** The wall clock (the CLI's `io.now`): when the run started, for the state file. */
  now?: () => number;
  /** `--resume`: continue the stopped run that left a checkpoint beside `-o FILE` (checkpoint.ts). */
  resume?: boolean;
  /** The command line that continues this run, said when it stops with a checkpoint kept. */
  resumeCommand?: string;
  /** Which account the run works on (the session's): a checkpoint is resumed only on the same one. */
  account?: string;
}

/** The run's result, as `export --json` prints it. */
export interface ExportResult {
  resource: string;
  action: string;
  records: number;
  requests: number;
  seconds: number;
  output: string;
  format: ExportFormat;
  /** `gzip` when the output was compressed (`-o FILE.gz`). */
  compression?: 'gzip';
  /** The bookmark written to the state file, if any. */
  bookmark?: string;
  /** Whether --max cut the export short. */
  truncated: boolean;
  /** With --state: a bookmark on an update time (`since`), or every record compared by content (`hash`). */
  incremental?: IncrementalMode;
  /** Hash mode: records read but not written, unchanged since the last run. */
  unchanged?: number;
  /** Since mode with `--include tags`: records written because their tags changed while their update time did not. */
  membershipChanges?: number;
  /** Hash mode: how many records the last run returned and this one did not, and their keys. */
  deleted?: number;
  deletedIds?: DeletedKey[];
}

export interface ExportPlan {
  action: ActionDef;
  /** The resource the records are of: the exported one, or the action's `recordsOf`. */
  records: ResourceDef;
  path: string;
  query: Query;
  gathered: GatheredDef[];
  /** How custom fields are obtained: not at all, from the list itself, or one request per record. */
  customFields: 'none' | 'list' | 'single';
  /**
   * Where this export's bookmark lives in the state file: the resource's name for a plain export,
   * a key naming the action, parameters and filters otherwise, so a filtered run never moves the
   * bookmark an unfiltered one continues from.
   */
  bookmarkKey: string;
  /** The key an older state file holds this job's bookmark (or hashes) under, read once. */
  legacyKey?: string;
  /** What the plan had to set aside (a bookmark in the future), shown as warnings. */
  warnings: string[];
  /** The date window applied (from flags or the bookmark), and where the bookmark lives. */
  incremental?: { field: string; since?: string; until?: string; fromBookmark: boolean };
  /** With --state: how new and changed records are found (see incremental.ts). */
  tracking?: IncrementalMode;
  /** Said once to the user: e.g. that --state reads every record of a resource without a date filter. */
  notices: string[];
  /**
   * Path parameters that are fields of the resource but absent from what Keap returns (an order
   * item's `order_id`): added to each record so the export can be imported back as it is.
   */
  parentValues: Record<string, string | number>;
  /** Without the parent's `--param`: every parent is read, then this read once per parent (walk.ts). */
  walk?: WalkPlan;
}

/** What `runExport` returns: the result (`--json` prints it) and what the summary line says besides. */
export interface ExportOutcome {
  result: ExportResult;
  /** The exported records' resource, for "1 contact" and "2 contacts". */
  recordNoun: { one: string; many: string };
  /** `--max`, when given. */
  max?: number;
  /** Records deleted meanwhile, written with null for the gathered fields that could not be read. */
  vanished: number;
  /** With --state: what the change tracker saved and found. */
  incremental?: IncrementalOutcome;
}

/** A deleted record: its id, or an object of its key fields when it has several. */
export type DeletedKey = string | number | Record<string, unknown>;

export interface IncrementalOutcome {
  mode: IncrementalMode;
  /** The bookmark saved (since mode). */
  bookmark?: string;
  /** Records read but not written, their content unchanged since the last run (hash mode). */
  unchanged?: number;
  /**
   * Records returned by the last run and not by this one (hash mode, keyed records, a complete
   * read). Undefined when that cannot be known; empty on the first run.
   */
  deleted?: DeletedKey[];
  /** Hash mode: whether there was a last run to compare with. */
  compared?: boolean;
  /** Since mode: records written only because their memberships (tags) changed. */
  membershipChanges?: number;
}
