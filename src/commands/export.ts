/** `export RESOURCE`: every record of a resource to CSV, JSON or NDJSON (DESIGN.md sections 2 and 3). */
import type { Command } from 'commander';
import { choiceOption, wholeNumberOption } from './flags.js';
import { findResource } from '../catalog/index.js';
import { UsageError } from '../errors.js';
import type { GatherMode } from '../etl/export/gather-estimate.js';
import type { ExportFormat, ExportRequest } from '../etl/export/types.js';
import type { IO } from '../io.js';
import { collect } from './collect.js';
import { globalOptions, reporterFor, withSession } from './context.js';
import { exportAllCommand } from './export-all.js';
import { EXPORT_FORMATS, exportFormat } from './export-format.js';
import { gatherPlanJson, renderGatherPlan } from './export-plan.js';
import { exportSummary } from './export-summary.js';
import { runInterruptible } from './interrupt.js';
import { printJson } from './output.js';

/** `--gather` (etl/export/gather-estimate.ts): spelled out here so --help loads no engine; a missing one fails the typecheck. */
const GATHER: Record<GatherMode, true> = { auto: true, 'per-record': true, inverse: true };
const GATHER_MODES = Object.keys(GATHER) as readonly GatherMode[];

interface ExportFlags {
  format?: ExportFormat;
  output?: string;
  fields?: string;
  include: string[];
  since?: string;
  until?: string;
  where: string[];
  param: string[];
  action?: string;
  max?: number;
  pageSize?: number;
  state?: string;
  stateKey?: string;
  fullRefresh?: boolean;
  deleted?: string;
  detectDeletes?: boolean;
  concurrency?: number;
  json?: boolean;
  force?: boolean;
  all?: boolean;
  resume?: boolean;
  to?: string;
  gather?: GatherMode;
  plan?: boolean;
}

export function defineExportCommand(command: Command, io: IO): void {
  command
    .description('export every record of a resource to CSV, JSON or NDJSON')
    .argument('[resource]', 'resource name or alias (see `infusionsoft resources`); left out with --all')
    .addOption(choiceOption('-f, --format <format>', 'the file format (default: from the -o extension, else ndjson)', EXPORT_FORMATS))
    .option(
      '-o, --output <file>',
      'write here (a temporary file renamed on success) instead of stdout; a name ending in .gz is gzip-compressed',
    )
    .option('--force', 'replace the -o file even when it is read-only')
    .option('--all', 'every resource, one file each, into the folder -o DIR/, with manifest.json')
    .option('--fields <list>', 'only these columns/fields, in this order (dot paths: address.line1, custom.Label)')
    .option('--include <list>', 'add gathered fields (comma-separated; see `describe RESOURCE`)', collect, [])
    .option('--since <time>', 'only records updated at or after this date or date-time')
    .option('--until <time>', 'only records updated at or before this date or date-time')
    .option('--where <key=value>', 'a filter the endpoint supports, e.g. email=jane@example.com (repeatable)', collect, [])
    .option('--param <key=value>', 'a path parameter, e.g. order_id=12 for order-items (repeatable)', collect, [])
    .option('--action <id>', 'the read action to use (see `describe RESOURCE`), e.g. read-by-order for transactions')
    .addOption(wholeNumberOption('--max <n>', 'stop after N records'))
    .addOption(
      wholeNumberOption('--page-size <n>', 'records per request (1-1000, default 1000)', {
        max: 1000,
        why: 'Keap returns at most 1000 records a page',
      }),
    )
    .option('--state <file>', 'incremental: write only records new or changed since the last run (state kept in this JSON file)')
    .option('--state-key <name>', "this job's name in the --state file (default: built from the resource, filters, --include and --fields)")
    .option('--full-refresh', 'ignore the bookmark in --state (it is still updated)')
    .option('--deleted <file>', 'with --state: write the keys of records gone since the last run here, one a line')
    .option('--detect-deletes', 'with --state, for resources exported by update time (contacts): sweep every id to find deleted records')
    .option('--resume', 'continue the stopped run (a used-up quota, an interrupt, a kill) that left a checkpoint beside -o FILE')
    .option('--json', "print the run's result as one JSON document on stdout (needs -o FILE)")
    .addOption(wholeNumberOption('--concurrency <n>', 'gathered-field requests in flight (default 8; the client still paces them)'))
    .option('--to <url>', 'into database tables instead of a file, as `sync RESOURCE --to URL` (sqlite:PATH or postgres://...)')
    .addOption(
      choiceOption(
        '--gather <plan>',
        "how --include tags is read (default auto: the cheaper plan; inverse reads every tag's members)",
        GATHER_MODES,
      ),
    )
    .option('--plan', 'print what the export would cost (records, requests per plan, time, quota) after a few probes; export nothing')
    .addHelpText(
      'after',
      `
With --state, later runs write only the records new or changed since the last run. Where Keap
filters by a confirmed update time (contacts), they ask only for records updated since the saved
bookmark; records at the boundary come again (at least once, never missed). Everywhere else
(event times, unconfirmed update times, no date filter; see \`describe RESOURCE\`) every record is
read and compared with the last run's content hashes, which also shows deletions (--deleted).`,
    )
    .action((name: string | undefined, flags: ExportFlags, command: Command) => exportCommand(name, flags, command, io));
}

/** One export run: the flags checked and read into a request, the engine run, its summary printed. */
async function exportCommand(name: string | undefined, flags: ExportFlags, command: Command, io: IO): Promise<void> {
  if (flags.to !== undefined) return (await import('./sync.js')).exportToDatabase(name, flags, command, io);
  if (flags.all) return exportAllCommand(name, { ...flags }, command, io);
  if (name === undefined) {
    throw new UsageError('export needs a RESOURCE (see `infusionsoft resources`)', {
      hint: 'or export every resource with --all -o DIR/',
    });
  }
  const resource = findResource(name);
  // The engine (and csv-parse, for lists in flags) load only when an export runs.
  const [{ parseFieldList }, { parseDateArg }, { parseKeyValues }, { runExport }, { estimateExport }] = await Promise.all([
    import('./args.js'),
    import('../etl/dates.js'),
    import('../etl/key-values.js'),
    import('../etl/export/run.js'),
    import('../etl/export/estimate.js'),
  ]);
  const { format, gzip } = exportFormat(flags.format, flags.output);
  const request: ExportRequest = {
    resource,
    format,
    ...(gzip ? { gzip } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.json ? { resultOnStdout: true } : {}),
    where: parseKeyValues(flags.where, '--where'),
    params: parseKeyValues(flags.param, '--param'),
    fullRefresh: flags.fullRefresh ?? false,
    stdout: io.stdout,
    now: io.now,
  };
  if (flags.action !== undefined) request.action = flags.action;
  if (flags.output !== undefined && flags.output !== '-') request.output = flags.output;
  if (flags.fields !== undefined) request.fields = parseFieldList(flags.fields, '--fields');
  if (flags.include.length) request.include = flags.include.flatMap((v) => parseFieldList(v, '--include'));
  if (flags.since !== undefined) request.since = parseDateArg(flags.since, '--since');
  if (flags.until !== undefined) request.until = parseDateArg(flags.until, '--until');
  if (flags.max !== undefined) request.max = flags.max;
  if (flags.pageSize !== undefined) request.pageSize = flags.pageSize;
  if (flags.concurrency !== undefined) request.concurrency = flags.concurrency;
  if (flags.state !== undefined) request.stateFile = flags.state;
  if (flags.stateKey !== undefined) request.stateKey = parseStateKey(flags.stateKey, flags.state);
  if (flags.deleted !== undefined) request.deletedFile = flags.deleted;
  if (flags.detectDeletes) request.detectDeletes = true;
  if (flags.resume) request.resume = true;
  request.resumeCommand = resumeCommandLine(command);
  if (flags.gather !== undefined) request.gather = flags.gather;
  if (flags.plan) {
    const choice = await withSession(command, io, ({ api }) => estimateExport(api, request));
    if (flags.json) printJson(gatherPlanJson(resource.name, choice), io.stdout);
    else io.stdout.write(renderGatherPlan(resource.name, choice));
    return;
  }
  if (flags.json && request.output === undefined) {
    throw new UsageError('--json prints the result on stdout, where the data goes without -o', {
      hint: 'write the data to a file with -o FILE, or leave out --json',
    });
  }

  // Ctrl-C, a kill from cron, a closed SSH session: stop fetching, discard the temporary file.
  const outcome = await runInterruptible((signal) => {
    request.signal = signal;
    return withSession(command, io, ({ api, reporter, account }) => runExport(api, { ...request, account }, reporter), {
      ...(request.concurrency ? { concurrency: request.concurrency } : {}),
    });
  }, 'export interrupted before anything was written');
  const done = outcome.result;
  // The summary's numbers as fields of its JSON line (`--log-format json`), for log shippers.
  reporterFor(globalOptions(command), io).info(exportSummary(outcome), {
    resource: done.resource,
    records: done.records,
    requests: done.requests,
    seconds: done.seconds,
    output: done.output,
    format: done.format,
  });
  if (flags.json) printJson(outcome.result, io.stdout);
}

/** The command line that continues a stopped run: this one, with `--resume`, quoted for a shell. */
function resumeCommandLine(command: Command): string {
  // Commander keeps the argv it parsed (`node infusionsoft ...`) but leaves it out of its types.
  const raw = (command.parent as { rawArgs?: string[] } | null)?.rawArgs ?? [];
  const args = raw.slice(2);
  const quoted = args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`));
  return ['infusionsoft', ...quoted, ...(args.includes('--resume') ? [] : ['--resume'])].join(' ');
}

/** `--state-key NAME`: a name a person can read in the state file, only with --state. */
function parseStateKey(name: string, state: string | undefined): string {
  if (state === undefined) throw new UsageError('--state-key names a job in the --state file: give --state FILE too');
  const trimmed = name.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (trimmed === '' || /[\u0000-\u001f]/.test(trimmed)) {
    throw new UsageError(`--state-key "${name}": give a name, such as nightly-contacts`);
  }
  return trimmed;
}
