/** `import RESOURCE FILE`: file rows onto Keap's create, update, upsert and delete (DESIGN.md sections 2 and 3). */
import type { Command } from 'commander';
import { findResource } from '../catalog/index.js';
import { PartialFailureError } from '../errors.js';
import type { OnDuplicate } from '../etl/import/check.js';
import type { ReadsChoice } from '../etl/import/read-plan.js';
import type { ImportOutcome } from '../etl/import/run.js';
import type { ImportActionKind } from '../etl/import/types.js';
import type { IO } from '../io.js';
import { counted } from '../reporter.js';
import { collect } from './collect.js';
import { globalOptions, reporterFor, withSession } from './context.js';
import { acceptDryRunSample } from './dry-run.js';
import { choiceOption, wholeNumberOption } from './flags.js';
import type { ImportFlags } from './import-request.js';
import { runInterruptible } from './interrupt.js';
import { printJson } from './output.js';

/** Rows of the file that write the same record: keep the first, the last, or refuse the file. */
const ON_DUPLICATE: readonly OnDuplicate[] = ['first', 'last', 'error'];
/** How the records rows change are read (etl/import/read-plan.ts); listed here so --help loads no engine. */
const READS: readonly ReadsChoice[] = ['auto', 'per-row', 'list'];
/** The write actions, in the order help lists them; every kind, or the typecheck fails; listed here so --help loads no engine. */
const ACTIONS: Record<ImportActionKind, true> = { create: true, update: true, upsert: true, delete: true };
const IMPORT_ACTIONS = Object.keys(ACTIONS) as readonly ImportActionKind[];

export function defineImportCommand(command: Command, io: IO): void {
  const dryRun = acceptDryRunSample(command);
  command
    .description('import a CSV, JSON or NDJSON file as creates, updates, upserts or deletes, with an error report')
    .argument('<resource>', 'resource name or alias (see `infusionsoft resources`)')
    .argument('<file>', 'the input file (.csv, .json, .ndjson), or - for stdin')
    .addOption(
      choiceOption(
        '--action <action>',
        'the write action (default: update when the file has the key column, else upsert where the resource has one, else create)',
        IMPORT_ACTIONS,
      ),
    )
    .option('-f, --format <format>', 'csv, json or ndjson (default: from the file extension)')
    .option('--delimiter <char>', 'CSV delimiter: , ; or tab (default: detected from the header)')
    .option('--map <column=field>', 'read COLUMN as FIELD (a field name, dot path or custom.<label>; repeatable)', collect, [])
    .option('--set <field=value>', 'give every row FIELD=VALUE, as a column the file does not have (repeatable)', collect, [])
    .option(
      '--mapping <file>',
      'a JSON file of maps, constant values (set), lookups, groupBy, dateFormat, timezone and match; flags win over it (see docs/import.md)',
    )
    .option(
      '--lookup <field=resource.key>',
      'FIELD holds natural keys, e.g. contact_id=contacts.email, product_id=products.sku (repeatable)',
      collect,
      [],
    )
    .option('--group-by <column>', 'rows with the same value become one body with an item array (orders; default: order_ref when present)')
    .option(
      '--match <field>',
      'upsert or update records found by this field (any field or custom.<label>, e.g. a legacy id) instead of by email',
    )
    .option('--duplicate-option <option>', 'upserts: how Keap matches an existing record, Email or EmailAndName (default Email)')
    .addOption(
      choiceOption(
        '--on-duplicate <policy>',
        'rows of the file that write the same record: keep the first, the last, or refuse the file (default error; first with --only-created)',
        ON_DUPLICATE,
      ),
    )
    .option('--opt-in-reason <text>', 'contacts: the opt-in reason for every row (without one, imported addresses are not marketable)')
    .option('--clear-empty', 'send empty cells as cleared values (default: an empty cell leaves the field as it is)')
    .option(
      '--date-format <format>',
      'how dates are written: tokens YYYY MM DD HH mm ss (MM/DD/YYYY, DD.MM.YYYY HH:mm) or strftime (%d/%m/%Y); ISO 8601 is always read',
    )
    .option('--timezone <zone>', 'IANA time zone of date-times without an offset, and of dates sent to date-time fields (default UTC)')
    .option('--ignore-unknown', 'skip columns that match no field, with a warning (default: stop)')
    .option('--create-tags', 'create tags named in a tags column that do not exist yet')
    .option('--only-created', 'with --action delete and a results file: delete only what that run created (undo)')
    .option('--dry-run', 'check every row and show what would be sent (--dry-run=N: only the first N); send nothing')
    .option('--errors <file>', 'the error report (default: NAME.errors.EXT beside the input)')
    .option('--results <file>', 'the results file (default: NAME.results.EXT beside the input)')
    .addOption(wholeNumberOption('--max-errors <n>', 'stop after N failed or invalid rows (the rest are reported as skipped)'))
    .addOption(
      wholeNumberOption('--concurrency <n>', "requests in flight at once (default 8; the client still paces them to the API's limits)"),
    )
    .option('--resume', 'continue an interrupted import of the same file: finished rows are not sent again')
    .option(
      '--send-unchanged',
      'updates: send every row, even one whose record already holds its values (default: read and compare, send only changes)',
    )
    .option(
      '--if-unchanged',
      'updates of an exported file: a record edited in Keap since the export (its update time differs) is not overwritten',
    )
    .addOption(
      choiceOption(
        '--reads <plan>',
        'how the records rows change are read: per-row, list (one paged read of the resource) or auto (default: whichever costs fewer requests)',
        READS,
      ),
    )
    .option('--plan', 'check the rows and print the estimate (reads, writes, time, share of the daily quota); write nothing')
    .option('--json', "print the run's result as one JSON document on stdout")
    .addHelpText(
      'after',
      `
Every row is checked before the first write; invalid rows go to the error report and are not sent.
Exit codes: 0 every row done; 3 some rows failed, were invalid or unknown, or --max-errors stopped the
run; 2 the input cannot be used (nothing was sent); 130 interrupted (run again with --resume).`,
    )
    .action((name: string, file: string, flags: ImportFlags, command: Command) =>
      importCommand(name, file, flags, dryRun.sample(), command, io),
    );
}

/** One import run: the flags read into a request, the engine run, its summary printed; exit 3 when rows failed. */
async function importCommand(
  name: string,
  file: string,
  flags: ImportFlags,
  sample: string | undefined,
  command: Command,
  io: IO,
): Promise<void> {
  const resource = findResource(name);
  // The engine and the parsers of mapping, lookups and dates load only when an import runs.
  const [{ importRequest }, { runImport }, { planText }] = await Promise.all([
    import('./import-request.js'),
    import('../etl/import/run.js'),
    import('../etl/import/plan-estimate.js'),
  ]);
  const { request, preview } = await importRequest(resource, file, flags, sample, io);
  const outcome = await runInterruptible(
    (signal) =>
      withSession(command, io, ({ api, reporter, account }) => runImport(api, { ...request, account, signal }, reporter), {
        concurrency: request.concurrency,
      }),
    'import interrupted before any row was sent',
  );
  if (outcome.plan) {
    if (flags.json) printJson(outcome, io.stdout);
    else io.stdout.write(planText(outcome.plan));
    return;
  }
  reporterFor(globalOptions(command), io).info(importSummary(outcome), { ...outcome.counts });
  const document = flags.dryRun ? { ...outcome, preview } : outcome;
  const { invalid, failed, unknown } = outcome.counts;
  const partial = Boolean(invalid || failed || unknown || outcome.stoppedEarly);
  // With failed rows the result goes out with the error, as one object (docs/json.md).
  if (flags.json && !partial) printJson(document, io.stdout);
  if (partial) {
    const problems = [invalid && `${invalid} invalid`, failed && `${failed} failed`, unknown && `${unknown} unknown`]
      .filter(Boolean)
      .join(', ');
    throw new PartialFailureError(
      outcome.stoppedEarly
        ? `stopped early at --max-errors${problems ? ` (${problems})` : ''}`
        : `${problems}: see ${outcome.errorsFile ?? 'the error report'}`,
      {
        hint: unknown
          ? 'rows marked unknown may have been created: check them in Keap before re-importing them (the same command with --resume looks them up again); fix the other rows in the error report'
          : 'fix the rows in the error report and import it as it is',
      },
    ).withResult(document);
  }
}

/** The run in a few lines: what was read and done, how fast, and where the reports are. */
export function importSummary(outcome: ImportOutcome): string {
  const c = outcome.counts;
  const read = outcome.grouped
    ? `${counted(outcome.grouped.rows.read ?? 0, 'row')} read in ${counted(c.read, outcome.grouped.noun)}:`
    : `${c.read} read,`;
  const head = outcome.dryRun
    ? `dry run of ${outcome.file} into ${outcome.resource} (${outcome.action}): ${read} ${c.valid} valid, ${c.invalid} invalid${rowCounts(outcome)}; would ${outcome.action} ${counted(outcome.planned ?? 0, outcome.grouped?.noun ?? 'record')}, nothing sent`
    : `imported ${outcome.file} into ${outcome.resource} (${outcome.action}): ${read} ${c.valid} valid, ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed, ${c.invalid} invalid, ${c.unknown} unknown, ${c.skipped} skipped${rowCounts(outcome)}`;
  const speed = `in ${outcome.elapsedSeconds.toFixed(1)} s (${outcome.rowsPerSecond.toFixed(1)} rows/s, ${counted(outcome.requests, 'request')})`;
  const files = [outcome.errorsFile && `errors: ${outcome.errorsFile}`, outcome.resultsFile && `results: ${outcome.resultsFile}`]
    .filter(Boolean)
    .join('; ');
  return `${head} ${speed}${files ? `\n${files}` : ''}`;
}

/** Grouped rows (orders of line items): what became of the rows, beside the orders' counts. */
function rowCounts(outcome: ImportOutcome): string {
  const rows = outcome.grouped?.rows;
  if (!rows) return '';
  const order = ['valid', 'created', 'updated', 'deleted', 'failed', 'invalid', 'unknown', 'skipped'];
  const names = [...order, ...Object.keys(rows).filter((name) => !order.includes(name))];
  const shown = names
    .map((name) => [name, rows[name] ?? 0] as const)
    .filter(([name, n]) => n > 0 && name !== 'read' && (outcome.dryRun || name !== 'valid'));
  return shown.length ? ` (rows: ${shown.map(([name, n]) => `${n} ${name}`).join(', ')})` : '';
}
