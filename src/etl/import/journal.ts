/**
 * The import journal (DESIGN.md section 3, Import; issue #9): every unit of work is recorded as
 * sent before its request goes out and as finished, with its outcome, after; both durably. So
 * `--resume` after Ctrl-C, a crash or SIGKILL never sends a finished row again, and knows which rows
 * were sent without an outcome (they may or may not have reached Keap: never sent again blindly).
 *
 * Format (NDJSON, mode 0600: it holds ids and Keap's messages):
 *
 *   {"journal":"infusionsoft import","v":1,"started":"...","inputHash":"...","resource":...}
 *   {"s":12,"t":1796601600000}                  row 12 is about to be sent (t: when, in ms; older journals lack it)
 *   {"f":{"row":12,"status":"created","id":7}}  what came of it
 *   {"complete":true}                           every row has an outcome
 *
 * Lines are appended and fsynced in groups (group commit): concurrent callers share one fsync, and
 * lines written while a sync runs go into the next one. A SIGKILL mid-write leaves at most a torn
 * last line, which was never reported durable and is ignored (and cut off before appending).
 */
import { createReadStream } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { appendDurable, type DurableAppender, errorCode, writeFileAtomic } from '../../fs/index.js';
import { isOutcomeStatus, RowOutcomes } from './outcomes.js';
import type { JournalIdentity, RowOutcome } from './types.js';

const JOURNAL_MARK = 'infusionsoft import';
const JOURNAL_VERSION = 1;
const JOURNAL_MODE = 0o600;

export function journalPathFor(reportBase: string): string {
  return `${reportBase}.journal`;
}

export interface Journal {
  readonly path: string;
  /** Outcomes recorded by earlier runs of this import (empty for a fresh start). */
  readonly previous: ReadonlyMap<number, RowOutcome>;
  /** Rows an earlier run recorded as sent without an outcome (they may or may not have reached Keap). */
  readonly unresolved: ReadonlySet<number>;
  /** When the first run of this journal started (ms): "created in this import" spans every run of it. */
  readonly started: number;
  /**
   * When `row` was last sent (ms, as recorded by `sent`), for a row whose outcome is unknown or not
   * recorded yet, by this run or an earlier one; undefined when no time was recorded.
   */
  sentAt(row: number): number | undefined;
  /**
   * Records that `row` is about to be sent (at `at` ms, when given); resolves once that is on disk
   * (fsync). Concurrent callers share one fsync (group commit: the lines written while a sync is
   * running go into the next one).
   */
  sent(row: number, at?: number): Promise<void>;
  /** Records an outcome; resolves once durable (same batching). */
  finish(outcome: RowOutcome): Promise<void>;
  /** Every row has an outcome: a later run without --resume may start afresh over this journal. */
  complete(): Promise<void>;
  close(): Promise<void>;
}

interface JournalHeader extends JournalIdentity {
  journal: typeof JOURNAL_MARK;
  v: number;
  started: string;
}

/** What an earlier run left in a journal. */
interface JournalContents {
  header: JournalHeader;
  outcomes: RowOutcomes;
  /** Rows sent without an outcome. */
  unresolved: Set<number>;
  /** When rows were last sent, kept only while their outcome is missing or unknown. */
  sentTimes: Map<number, number>;
  /** Whether any row was ever recorded as sent. */
  anySent: boolean;
  complete: boolean;
  /** Bytes up to the end of the last whole line; a torn line after it is cut off before appending. */
  wholeBytes: number;
  tornBytes: number;
}

/**
 * Opens the journal at `path` for an import of `options.file` identified by `identity`.
 * Fresh start (`resume: false`): a missing or complete journal is replaced, an interrupted one is
 * refused. `resume: true`: the earlier run's journal is read and appended to; missing, or written
 * for another input or command, is refused. Refusals are UsageErrors saying what to do next.
 */
export async function openJournal(path: string, identity: JournalIdentity, options: { resume: boolean; file: string }): Promise<Journal> {
  const found = await readJournal(path);
  if (options.resume) {
    if (!found) {
      throw new UsageError(`nothing to resume for ${options.file}: there is no journal ${path} of an earlier import`, {
        hint: 'run the command without --resume to start the import',
      });
    }
    checkIdentity(found.header, identity, path, options.file);
    if (found.tornBytes > 0) {
      await truncate(path, found.wholeBytes).catch((error: unknown) => {
        throw new UsageError(`cannot repair the journal ${path}: ${(error as Error).message}`, { cause: error });
      });
    }
    const appender = await appendDurable(path, { mode: JOURNAL_MODE });
    return journalOver(path, appender, found, Date.parse(found.header.started));
  }
  // A journal whose run never sent a row protects nothing: it is replaced like a complete one.
  if (found && !found.complete && found.anySent) {
    throw new UsageError(
      `an earlier import of ${options.file} was interrupted: run the same command with --resume to continue it, or delete ${path} to start over`,
      { hint: `starting over sends again the rows the earlier run finished (${found.outcomes.size} recorded in ${path})` },
    );
  }
  const header: JournalHeader = { journal: JOURNAL_MARK, v: JOURNAL_VERSION, started: new Date().toISOString(), ...pickIdentity(identity) };
  await writeFileAtomic(path, `${JSON.stringify(header)}\n`, { mode: JOURNAL_MODE });
  const appender = await appendDurable(path, { mode: JOURNAL_MODE });
  return journalOver(
    path,
    appender,
    { outcomes: new RowOutcomes(), unresolved: new Set(), sentTimes: new Map() },
    Date.parse(header.started),
  );
}

function pickIdentity(identity: JournalIdentity): JournalIdentity {
  const { inputHash, resource, action, profile, apiUrl } = identity;
  return { inputHash, resource, action, profile, apiUrl };
}

function journalOver(
  path: string,
  appender: DurableAppender,
  earlier: Pick<JournalContents, 'outcomes' | 'unresolved' | 'sentTimes'>,
  started: number,
): Journal {
  const commits = new GroupCommit(appender);
  const { sentTimes } = earlier;
  return {
    path,
    previous: earlier.outcomes,
    unresolved: earlier.unresolved,
    started,
    sentAt: (row) => sentTimes.get(row),
    sent(row, at) {
      if (at !== undefined) sentTimes.set(row, at);
      return commits.write(JSON.stringify(at === undefined ? { s: row } : { s: row, t: at }));
    },
    finish(outcome) {
      keepSentTime(sentTimes, outcome);
      return commits.write(JSON.stringify({ f: compactOutcome(outcome) }));
    },
    complete: () => commits.write(JSON.stringify({ complete: true })),
    async close() {
      await commits.idle();
      await appender.close();
    },
  };
}

/** A row's send time is kept only while its outcome is unknown: the lookup at the end of a run needs it. */
function keepSentTime(sentTimes: Map<number, number>, outcome: RowOutcome): void {
  if (outcome.status !== 'unknown') sentTimes.delete(outcome.row);
}

/** The outcome's own members only, without undefined ones: short lines, and nothing but what readJournal accepts. */
function compactOutcome(outcome: RowOutcome): RowOutcome {
  const { row, status, id, httpStatus, field, error } = outcome;
  return {
    row,
    status,
    ...(id !== undefined ? { id } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends lines and makes them durable, one fsync per batch: lines written while a sync runs wait
 * for the next one together. After a failed write or sync every later line is refused with the same
 * error: nothing written after it could be called durable.
 */
class GroupCommit {
  private queued: string[] = [];
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly appender: DurableAppender) {}

  write(line: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queued.push(line);
      this.waiters.push({ resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when nothing is being written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Callers in the same turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queued.length > 0) {
      const lines = this.queued;
      const waiters = this.waiters;
      this.queued = [];
      this.waiters = [];
      try {
        await this.appender.append(lines);
        await this.appender.sync();
      } catch (error) {
        this.failure = error;
        for (const waiter of [...waiters, ...this.waiters]) waiter.reject(error);
        this.queued = [];
        this.waiters = [];
        break;
      }
      for (const waiter of waiters) waiter.resolve();
    }
    this.running = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading an earlier run's journal

/** A line the reader cannot use: the journal is damaged, or not a journal at all. */
function damaged(path: string, line: number, what: string): UsageError {
  return new UsageError(`cannot read the journal ${path}: line ${line} ${what}`, {
    hint: `the journal is damaged: delete ${path} to start over (rows it recorded as finished would be sent again)`,
  });
}

/**
 * Reads the journal at `path`, streaming (a million rows' journal is not read whole). Undefined
 * when there is none, or when not even its first line was written whole (no row was sent then).
 */
async function readJournal(path: string): Promise<JournalContents | undefined> {
  let contents: JournalContents | undefined;
  let lineNumber = 0;
  let offset = 0;
  let carry = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path)) {
      let buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let end = buffer.indexOf(0x0a); end >= 0; end = buffer.indexOf(0x0a, start)) {
        lineNumber++;
        const text = buffer.toString('utf8', start, end);
        offset += end + 1 - start;
        start = end + 1;
        if (lineNumber === 1) contents = readHeader(path, text);
        else readEntry(path, lineNumber, text, contents!);
        contents!.wholeBytes = offset;
      }
      buffer = buffer.subarray(start);
      carry = Buffer.from(buffer);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the journal ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (contents) contents.tornBytes = carry.length;
  return contents;
}

function parseLine(path: string, line: number, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged(path, line, 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged(path, line, 'is not a journal entry');
  return value as Record<string, unknown>;
}

function readHeader(path: string, text: string): JournalContents {
  const header = parseLine(path, 1, text);
  if (header.journal !== JOURNAL_MARK) {
    throw new UsageError(`${path} is not an import journal (line 1 is not a journal header)`, {
      hint: `delete or move ${path}: the import keeps its journal there`,
    });
  }
  if (header.v !== JOURNAL_VERSION) {
    throw new UsageError(`the journal ${path} was written by another version of infusionsoft (journal version ${String(header.v)})`, {
      hint: `resume with that version, or delete ${path} to start over (rows it recorded as finished would be sent again)`,
    });
  }
  for (const key of ['inputHash', 'resource', 'action', 'profile', 'apiUrl', 'started'] as const) {
    if (typeof header[key] !== 'string') throw damaged(path, 1, `has no ${key}`);
  }
  // Unknown rows are judged from it (journal.started): a start that is not a time is damage.
  if (!Number.isFinite(Date.parse(header.started as string))) throw damaged(path, 1, 'has a start that is not a time');
  return {
    header: header as unknown as JournalHeader,
    outcomes: new RowOutcomes(),
    unresolved: new Set(),
    sentTimes: new Map(),
    anySent: false,
    complete: false,
    wholeBytes: 0,
    tornBytes: 0,
  };
}

const isRow = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function readEntry(path: string, line: number, text: string, contents: JournalContents): void {
  const entry = parseLine(path, line, text);
  if (entry.s !== undefined) {
    if (!isRow(entry.s)) throw damaged(path, line, 'records a sent row that is not a row number');
    if (typeof entry.t === 'number' && Number.isFinite(entry.t)) contents.sentTimes.set(entry.s, entry.t);
    contents.anySent = true;
    // A resumed run appends after an earlier `complete`: it holds only if nothing is sent after it.
    contents.complete = false;
    if (!contents.outcomes.has(entry.s)) contents.unresolved.add(entry.s);
    return;
  }
  if (entry.f !== undefined) {
    const outcome = readOutcome(path, line, entry.f);
    contents.outcomes.set(outcome);
    contents.unresolved.delete(outcome.row);
    keepSentTime(contents.sentTimes, outcome);
    return;
  }
  if (entry.complete === true) {
    contents.complete = true;
    return;
  }
  throw damaged(path, line, 'is not a journal entry');
}

function readOutcome(path: string, line: number, value: unknown): RowOutcome {
  if (typeof value !== 'object' || value === null) throw damaged(path, line, 'records an outcome that is not an object');
  const { row, status, id, httpStatus, field, error } = value as Record<string, unknown>;
  const valid =
    isRow(row) &&
    isOutcomeStatus(status) &&
    (id === undefined || typeof id === 'string' || typeof id === 'number') &&
    (httpStatus === undefined || typeof httpStatus === 'number') &&
    (field === undefined || typeof field === 'string') &&
    (error === undefined || typeof error === 'string');
  if (!valid) throw damaged(path, line, 'records an outcome it cannot read');
  return compactOutcome(value as RowOutcome);
}

/** What a journal's identity is called in messages. */
const IDENTITY_PARTS: ReadonlyArray<{ key: keyof JournalIdentity; name: string }> = [
  { key: 'resource', name: 'resource' },
  { key: 'action', name: '--action' },
  { key: 'profile', name: 'profile' },
  { key: 'apiUrl', name: 'API URL' },
];

/** Refuses to resume over a journal written for another input, resource, action, profile or API. */
function checkIdentity(header: JournalHeader, identity: JournalIdentity, path: string, file: string): void {
  const hint = `run the same command as the interrupted import with --resume, or delete ${path} to start over (rows it recorded as finished would be sent again)`;
  if (header.inputHash !== identity.inputHash) {
    throw new UsageError(
      `cannot resume: ${file} has changed since the interrupted import (its content is not what ${path} was written for)`,
      {
        hint: `restore ${file} as it was to resume, or delete ${path} to start over (rows it recorded as finished would be sent again)`,
      },
    );
  }
  const differences = IDENTITY_PARTS.filter(({ key }) => header[key] !== identity[key]).map(
    ({ key, name }) => `${name} ${header[key]} then, ${identity[key]} now`,
  );
  if (differences.length > 0) {
    throw new UsageError(`cannot resume the import of ${file}: the interrupted run was another import (${differences.join('; ')})`, {
      hint,
    });
  }
}
