/**
 * The end of a run (issue 13, item 3): every row whose outcome is `unknown` (a create whose answer
 * was lost or was a gateway's 502/503/504, a create or upsert an interrupted run sent without an
 * answer, an unknown row of an earlier run of the same journal) is looked up in Keap by its natural
 * key, the way --resume finds an interrupted create, but only once SETTLE_MS have passed since its
 * send: Keap may still be writing after a 504.
 *
 * recoverUnit (apply.ts) decides: created by that send, absent (sent once more, and only then), or
 * still unknown. Rows that cannot be looked up stay `unknown`, with a message that says to check
 * in Keap before re-importing them. Every resolution is journalled, so --resume carries it on.
 */
import { singularName } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import { UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { counted } from '../../reporter.js';
import { ALREADY_GONE, type ApplyContext, applyUnit, CHECK_BEFORE_REIMPORT, needsLookup, type Unit } from './apply.js';
import type { RowOutcomes } from './outcomes.js';
import type { ImportInput, RowOutcome } from './types.js';

/** How long after its send an unknown row is looked up (Keap may still be writing after a 504). */
export const SETTLE_MS = 60_000;

/** Separates an unknown row's cause from what the end of the run found, so a later run replaces only the finding. */
const FINDING = '; at the end of the run, ';

export interface ResolveOptions {
  /** How long after its send a row is looked up (SETTLE_MS unless a test says otherwise). */
  settleMs?: number;
  /** Rows looked up (or sent) at once. */
  concurrency: number;
  signal?: AbortSignal;
}

/** The unknown row's message: its cause, what the end of the run found, and what to do. */
function unknownMessage(cause: string | undefined, finding: string): string {
  const base = (cause ?? 'the outcome is unknown').split(FINDING)[0];
  return `${base}${FINDING}${finding}: ${CHECK_BEFORE_REIMPORT}`;
}

/** The resource has a natural key a create body carries, so Keap can be searched for the record. */
function canLookUp(context: ApplyContext): boolean {
  return (context.prepared.resource.naturalKeys ?? []).some((key) => key.bodyPath !== undefined);
}

/** Resolves when `at` (ms, Date.now's clock) has come, or at once when the run is stopped. */
function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  const wait = at - Date.now();
  if (wait <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The units of the given rows, from one more pass over the input. */
async function unitsFor(rows: ReadonlySet<number>, units: AsyncIterable<Unit>): Promise<Unit[]> {
  const found: Unit[] = [];
  for await (const unit of units) if (rows.has(unit.row)) found.push(unit);
  return found;
}

/** What the lookup (and the one send it may allow) made of one unknown row. */
async function resolveOne(context: ApplyContext, unit: Unit, previous: RowOutcome, sentAt: number): Promise<RowOutcome> {
  const recordedSend = context.journal.sentAt(unit.row);
  const outcome = await applyUnit(context, unit, true, sentAt);
  if (outcome.status !== 'unknown') return outcome;
  if (context.journal.sentAt(unit.row) !== recordedSend) {
    // recoverUnit found nothing, so the row was sent once more, and that outcome is not known either.
    const noun = singularName(context.prepared.resource);
    return { ...outcome, error: unknownMessage(outcome.error, `this was the row's second send, made because Keap had no such ${noun}`) };
  }
  return { ...outcome, error: unknownMessage(previous.error, `looked up in Keap: ${outcome.error ?? 'no answer'}`) };
}

/**
 * Looks up every `unknown` row of `outcomes` (see the file's comment), `concurrency` at a time, in
 * the order they were sent; records each resolution in the journal and in `outcomes`. A fatal
 * error (see isFatal) is thrown once the lookups in flight are done; a stopped run (the signal)
 * leaves the rows not yet looked up `unknown`.
 */
export async function resolveUnknownRows(
  context: ApplyContext,
  units: AsyncIterable<Unit>,
  outcomes: RowOutcomes,
  options: ResolveOptions,
  reporter: Reporter,
): Promise<void> {
  const unknown = new Map<number, RowOutcome>();
  for (const [row, outcome] of outcomes) if (outcome.status === 'unknown') unknown.set(row, outcome);
  if (unknown.size === 0) return;
  const { journal, prepared } = context;
  if (needsLookup(prepared) && !canLookUp(context)) {
    const finding = `${prepared.resource.name} cannot be looked up in Keap by a natural key`;
    for (const outcome of unknown.values()) outcomes.set({ ...outcome, error: unknownMessage(outcome.error, finding) });
    return;
  }
  const queue = (await unitsFor(new Set(unknown.keys()), units))
    .map((unit) => ({ unit, sentAt: journal.sentAt(unit.row) ?? journal.started }))
    .sort((a, b) => a.sentAt - b.sentAt);
  const settleMs = options.settleMs ?? SETTLE_MS;
  const last = queue.at(-1);
  if (last && last.sentAt + settleMs > Date.now()) {
    const seconds = Number((settleMs / 1000).toFixed(1));
    reporter.info(
      `${counted(queue.length, 'row')} with an unknown outcome: looking ${queue.length === 1 ? 'it' : 'them'} up in Keap ${seconds} s after ${queue.length === 1 ? 'its' : 'their'} send (until ${new Date(last.sentAt + settleMs).toISOString()}), before any is sent again`,
    );
  }
  let fatal: unknown;
  const worker = async () => {
    for (let next = queue.shift(); next && fatal === undefined; next = queue.shift()) {
      await sleepUntil(next.sentAt + settleMs, options.signal);
      if (options.signal?.aborted) return;
      try {
        const outcome = await resolveOne(context, next.unit, unknown.get(next.unit.row) as RowOutcome, next.sentAt);
        await journal.finish(outcome);
        outcomes.set(outcome);
      } catch (error) {
        fatal ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  if (fatal !== undefined) throw fatal;
}

/** One warning for the records a delete found already gone (counted deleted), naming them. */
export function noteAlreadyGone(context: ApplyContext, outcomes: RowOutcomes, reporter: Reporter): void {
  const gone: string[] = [];
  for (const [row, outcome] of outcomes) {
    if (outcome.status === 'deleted' && outcome.error === ALREADY_GONE)
      gone.push(`row ${row}${outcome.id !== undefined ? ` (id ${outcome.id})` : ''}`);
  }
  if (gone.length === 0) return;
  const shown = gone.length > 10 ? `${gone.slice(0, 10).join(', ')} and ${gone.length - 10} more` : gone.join(', ');
  const noun = counted(gone.length, singularName(context.prepared.resource), context.prepared.resource.name);
  reporter.warn(`${noun} already gone (Keap answered 404), counted as deleted: ${shown}`);
}

/**
 * An error report whose rows include `unknown` ones is refused (exit 2, before any request) unless
 * --action is given: those rows may have been created, and importing them as they are would make
 * duplicates. --resume on the original import looks them up instead.
 */
export async function refuseUnknownRows(input: ImportInput, resource: ResourceDef): Promise<void> {
  if (!input.columns.includes('_status')) return;
  const lines: number[] = [];
  for await (const row of input.rows()) if (String(row.values._status ?? '').trim() === 'unknown') lines.push(row.row);
  if (lines.length === 0) return;
  const shown = lines.length > 10 ? `${lines.slice(0, 10).join(', ')}, ...` : lines.join(', ');
  const original = /\.errors\.[^./\\]+$/.test(input.name) ? input.name.replace(/\.errors(\.[^./\\]+)$/, '$1') : undefined;
  const resume = original
    ? `infusionsoft import ${resource.name} ${original} --resume`
    : 'the import that wrote this report, with --resume';
  throw new UsageError(
    `${input.name} holds ${counted(lines.length, 'row')} whose outcome is unknown (${lines.length === 1 ? 'row' : 'rows'} ${shown}): an earlier import sent ${lines.length === 1 ? 'it' : 'them'} and could not tell whether Keap created ${lines.length === 1 ? 'it' : 'them'}, so importing ${lines.length === 1 ? 'it' : 'them'} again could create duplicates`,
    {
      hint: `run ${resume} to look ${lines.length === 1 ? 'it' : 'them'} up in Keap; or, once you have checked ${lines.length === 1 ? 'it' : 'them'} in Keap, give --action to import the report anyway`,
    },
  );
}
