/** `sync RESOURCE... --to URL` (and `export RESOURCE --to URL`): Keap into SQLite or PostgreSQL tables. */
import type { Command } from 'commander';
import { findResource } from '../catalog/index.js';
import type { ResourceDef } from '../catalog/types.js';
import { CliError, UsageError } from '../errors.js';
import type { SyncRequest, SyncResult } from '../etl/sync/run.js';
import type { SyncTarget } from '../etl/sync/target.js';
import type { IO } from '../io.js';
import { counted } from '../reporter.js';
import { collect } from './collect.js';
import { globalOptions, reporterFor, withSession } from './context.js';
import { wholeNumberOption } from './flags.js';
import { runInterruptible } from './interrupt.js';
import { printJson } from './output.js';

export interface SyncFlags {
  to?: string;
  all?: boolean;
  schema?: string;
  include: string[];
  detectDeletes?: boolean;
  hardDelete?: boolean;
  fullRefresh?: boolean;
  pageSize?: number;
  concurrency?: number;
  state?: string;
  lockWait?: number;
  json?: boolean;
  plan?: boolean;
}

export function defineSyncCommand(command: Command, io: IO): void {
  command
    .description('keep SQLite or PostgreSQL tables current with Keap (one table per resource, deletes included)')
    .argument('[resources...]', 'resource names or aliases (see `infusionsoft resources`); left out with --all')
    .option('--to <url>', 'the database: sqlite:PATH, or postgres://user@host/db (PG* variables and ~/.pgpass apply)')
    .option('--all', 'every resource `export --all` reads')
    .option('--schema <name>', 'PostgreSQL schema for the tables (default public); one per Keap account')
    .option('--include <list>', 'gathered fields as child tables (comma-separated; see `describe RESOURCE`)', collect, [])
    .option('--detect-deletes', 'for resources read by update time (contacts): sweep every id to find deleted records')
    .option('--hard-delete', 'remove rows gone from Keap instead of setting their _deleted_at')
    .option('--full-refresh', 'delete and insert every row again, in one transaction per resource')
    .addOption(
      wholeNumberOption('--page-size <n>', 'records per request (1-1000, default 1000)', {
        max: 1000,
        why: 'Keap returns at most 1000 records a page',
      }),
    )
    .addOption(wholeNumberOption('--concurrency <n>', 'gathered-field requests in flight (default 8; the client still paces them)'))
    .addOption(
      wholeNumberOption('--lock-wait <seconds>', 'how long to wait for another sync into the same database (default 30)', { min: 0 }),
    )
    .option('--json', 'print the summary as one JSON document on stdout')
    .option(
      '--plan',
      'print what this run would read after a few probes (first, incremental from the bookmark in the database, or full; pages, gathered fields, --detect-deletes sweep, time, quota); write nothing',
    )
    .option('--state <file>', 'refused: with --to the bookmark lives in the database')
    .addHelpText(
      'after',
      `
Examples:
  $ infusionsoft sync contacts companies --to sqlite:keap.db
  $ infusionsoft sync --all --to postgres://keap@db.example.com/crm?sslmode=require --schema acme
  $ infusionsoft sync contacts --detect-deletes --to sqlite:keap.db     # from cron
  $ infusionsoft sync contacts --include tags --detect-deletes --to sqlite:keap.db --plan   # what tonight's run costs

Rows are upserted by key and each page commits with its resume cursor in _infusionsoft_state, so a
run killed at any point continues from its last committed page. See docs/sync.md.`,
    )
    .action(async (names: string[], flags: SyncFlags, command: Command) => {
      await runSyncCommand(await chosenResources(names, flags.all), flags, command, io);
    });
}

/** Export flags that name a file, a bookmark file or a part of the records: none fits a database sync. */
const FILE_ONLY_FLAGS: Array<[string, string]> = [
  ['format', '--format'],
  ['output', '-o'],
  ['fields', '--fields'],
  ['where', '--where'],
  ['param', '--param'],
  ['action', '--action'],
  ['since', '--since'],
  ['until', '--until'],
  ['max', '--max'],
  ['stateKey', '--state-key'],
  ['deleted', '--deleted'],
  ['resume', '--resume'],
  ['force', '--force'],
];

/** `export RESOURCE --to URL` (or `--all`): the same as `sync RESOURCE --to URL`. */
export async function exportToDatabase(name: string | undefined, flags: SyncFlags, command: Command, io: IO): Promise<void> {
  const resources = await chosenResources(name === undefined ? [] : [name], flags.all);
  const what = flags.all ? '--all' : (resources[0]?.name ?? 'RESOURCE');
  for (const [key, flag] of FILE_ONLY_FLAGS) {
    const value = (flags as unknown as Record<string, unknown>)[key];
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
    throw new UsageError(`${flag} cannot go with --to: the records go into the database's tables, whole`, {
      hint: `infusionsoft export ${what} --to ${flags.to ?? 'URL'} takes --include, --full-refresh, --detect-deletes, --page-size, --concurrency and --json`,
    });
  }
  await runSyncCommand(resources, flags, command, io);
}

/** The resources named, or every one `export --all` reads; exactly one of the two. */
async function chosenResources(names: string[], all: boolean | undefined): Promise<ResourceDef[]> {
  if (all && names.length) throw new UsageError('--all syncs every resource: leave out the RESOURCE names');
  if (!all && names.length === 0) {
    throw new UsageError('name the RESOURCEs to sync, or give --all', {
      hint: 'for example: infusionsoft sync contacts --to sqlite:keap.db',
    });
  }
  return all ? (await import('../etl/export/all.js')).exportableResources() : names.map((n) => findResource(n));
}

/** Flags -> a sync request, every usage error (exit 2) before anything is opened. */
async function syncRequest(resources: ResourceDef[], flags: SyncFlags, io: IO): Promise<Omit<SyncRequest, 'signal'>> {
  if (flags.to === undefined) throw new UsageError('--to is needed: where the tables go', { hint: 'for example --to sqlite:keap.db' });
  refuseStateFile(flags);
  const { parseFieldList } = await import('./args.js');
  const target = await targetOf(flags.to, flags.schema, io);
  const pageSize = flags.pageSize;
  const include = flags.include.flatMap((v) => parseFieldList(v, '--include'));
  return {
    resources,
    target,
    ...(flags.schema ? { schema: flags.schema } : {}),
    ...(include.length ? { include } : {}),
    ...(flags.detectDeletes ? { detectDeletes: true } : {}),
    ...(flags.hardDelete ? { hardDelete: true } : {}),
    ...(flags.fullRefresh ? { fullRefresh: true } : {}),
    ...(pageSize ? { pageSize } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.lockWait !== undefined ? { lockWaitMs: flags.lockWait * 1000, lockPollMs: 100 } : {}),
    now: io.now,
  };
}

/** `--state` names a bookmark file: with `--to` the bookmark lives in the database. */
function refuseStateFile(flags: SyncFlags): void {
  if (flags.state === undefined) return;
  throw new UsageError('--state cannot go with --to: the bookmark lives in the database (_infusionsoft_state)', {
    hint: 'leave out --state; each run continues from what the database holds',
  });
}

/** `--to` and `--schema`, checked. */
async function targetOf(to: string, schema: string | undefined, io: IO): Promise<SyncTarget> {
  const { parseTarget } = await import('../etl/sync/target.js');
  const target = parseTarget(to, io.env);
  if (schema !== undefined && target.kind !== 'postgres') {
    throw new UsageError('--schema is for PostgreSQL: a SQLite database has one set of tables', {
      hint: 'use another file for another account',
    });
  }
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new UsageError(`--schema ${schema}: use lower-case letters, digits and _ (at most 63), starting with a letter or _`);
  }
  return target;
}

/** Runs the sync and renders it: one line per resource on stderr, `--json` on stdout; exit 1 when one failed. */
export async function runSyncCommand(resources: ResourceDef[], flags: SyncFlags, command: Command, io: IO): Promise<void> {
  if (flags.plan) return planSyncCommand(resources, flags, command, io);
  const request = await syncRequest(resources, flags, io);
  const { runSync } = await import('../etl/sync/run.js');
  const result = await runInterruptible(
    (signal) =>
      withSession(command, io, ({ api, reporter }) => runSync(api, { ...request, signal }, reporter), {
        ...(request.concurrency ? { concurrency: request.concurrency } : {}),
      }),
    'sync interrupted; every committed page stays, and the next run continues from there',
  );
  const reporter = reporterFor(globalOptions(command), io);
  for (const line of syncSummary(result)) reporter.info(line);
  const failed = result.resources.filter((r) => r.status === 'failed');
  if (failed.length) {
    // With --json the summary goes out with the error, as one object (docs/json.md).
    throw new CliError(`${failed.length} of ${result.resources.length} resources failed: ${failed.map((r) => r.resource).join(', ')}`, {
      hint: 'the others were committed; run the failed ones again to see the whole error',
    }).withResult(result);
  }
  if (flags.json) printJson(result, io.stdout);
}

/**
 * `sync --plan`: the destination's state read (nothing written, no lock), the probes, then the
 * estimate of the run that would happen on stdout. Without --to each resource counts as a first sync.
 */
async function planSyncCommand(resources: ResourceDef[], flags: SyncFlags, command: Command, io: IO): Promise<void> {
  const [{ parseFieldList }, { planSync }, { renderSyncPlan }] = await Promise.all([
    import('./args.js'),
    import('../etl/sync/plan-state.js'),
    import('./sync-plan.js'),
  ]);
  const include = flags.include.flatMap((v) => parseFieldList(v, '--include'));
  refuseStateFile(flags);
  const target = flags.to !== undefined ? await targetOf(flags.to, flags.schema, io) : undefined;
  const cost = await withSession(command, io, ({ api }) =>
    planSync(api, {
      resources,
      ...(target ? { target } : {}),
      ...(flags.schema ? { schema: flags.schema } : {}),
      ...(include.length ? { include } : {}),
      ...(flags.detectDeletes ? { detectDeletes: true } : {}),
      ...(flags.fullRefresh ? { fullRefresh: true } : {}),
      ...(flags.pageSize ? { pageSize: flags.pageSize } : {}),
    }),
  );
  if (flags.json) printJson(cost, io.stdout);
  else io.stdout.write(renderSyncPlan(cost));
}

/** `contacts: 3 inserted, 1 updated, 246 unchanged, 1 deleted; 9 child rows, 2 columns added, 1 variant (4 requests)`. */
export function syncSummary(result: SyncResult): string[] {
  const lines = result.resources.map((r) => {
    if (r.status === 'failed') return `${r.resource}: failed: ${r.error ?? ''}`;
    return (
      `${r.resource}: ${r.inserted.toLocaleString('en-US')} inserted, ${r.updated.toLocaleString('en-US')} updated, ` +
      `${r.unchanged.toLocaleString('en-US')} unchanged, ${r.deleted.toLocaleString('en-US')} deleted; ` +
      `${counted(r.childRows, 'child row')}, ${counted(r.columnsAdded, 'column')} added, ${counted(r.variants, 'variant')} (${counted(r.requests, 'request')})`
    );
  });
  lines.push(
    `synced ${counted(result.resources.length, 'resource')} into ${result.destination} in ${result.seconds.toFixed(1)} s, ${counted(result.requests, 'request')}`,
  );
  return lines;
}
