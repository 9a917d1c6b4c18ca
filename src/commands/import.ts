/** `import RESOURCE FILE`: file rows onto Keap's create, update, upsert and delete (DESIGN.md sections 2 and 3). */
import { once } from 'node:events';
import type { Command } from 'commander';
import { findResource } from '../catalog/index.js';
import { PartialFailureError, UsageError } from '../errors.js';
import type { PreviewEntry } from '../etl/import/preview.js';
import type { ImportOutcome, ImportRequest } from '../etl/import/run.js';
import type { IO } from '../io.js';
import { counted } from '../reporter.js';
import { collect } from './collect.js';
import { globalOptions, reporterFor, withSession } from './context.js';
import { acceptDryRunSample } from './dry-run.js';
import { runInterruptible } from './interrupt.js';
import { printJson } from './output.js';

interface ImportFlags {
  action?: string;
  format?: string;
  delimiter?: string;
  map: string[];
  lookup: string[];
  mapping?: string;
  set: string[];
  groupBy?: string;
  duplicateOption?: string;
  onDuplicate?: string;
  optInReason?: string;
  clearEmpty?: boolean;
  dateFormat?: string;
  timezone?: string;
  ignoreUnknown?: boolean;
  createTags?: boolean;
  onlyCreated?: boolean;
  dryRun?: boolean;
  errors?: string;
  results?: string;
  maxErrors?: string;
  concurrency?: string;
  resume?: boolean;
  sendUnchanged?: boolean;
  match?: string;
  ifUnchanged?: boolean;
  reads?: string;
  plan?: boolean;
  json?: boolean;
}

const ON_DUPLICATE = ['first', 'last', 'error'] as const;

export function registerImportCommand(program: Command, io: IO): void {
  const command = program.command('import');
  const dryRun = acceptDryRunSample(command);
  command
    .description('import a CSV, JSON or NDJSON file as creates, updates, upserts or deletes, with an error report')
    .argument('<resource>', 'resource name or alias (see `infusionsoft resources`)')
    .argument('<file>', 'the input file (.csv, .json, .ndjson), or - for stdin')
    .option(
      '--action <action>',
      'create, update, upsert or delete (default: update when the file has the key column, else upsert where the resource has one, else create)',
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
    .option(
      '--on-duplicate <policy>',
      'rows of the file that write the same record: first, last or error (default error; first with --only-created)',
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
    .option('--max-errors <n>', 'stop after N failed or invalid rows (the rest are reported as skipped)')
    .option('--concurrency <n>', "requests in flight at once (default 8; the client still paces them to the API's limits)")
    .option('--resume', 'continue an interrupted import of the same file: finished rows are not sent again')
    .option(
      '--send-unchanged',
      'updates: send every row, even one whose record already holds its values (default: read and compare, send only changes)',
    )
    .option(
      '--if-unchanged',
      'updates of an exported file: a record edited in Keap since the export (its update time differs) is not overwritten',
    )
    .option(
      '--reads <plan>',
      'how the records rows change are read: per-row, list (one paged read of the resource) or auto (default: whichever costs fewer requests)',
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
    .action(async (name: string, file: string, flags: ImportFlags, command: Command) => {
      const resource = findResource(name);
      const [
        { parsePositiveInt },
        { parseKeyValues },
        { parseImportAction },
        { parseLookup },
        { runImport },
        { applyMappingFile },
        dates,
        { previewText },
        { READS_CHOICES },
        { planText },
      ] = await Promise.all([
        import('./args.js'),
        import('../etl/key-values.js'),
        import('../etl/import/action.js'),
        import('../etl/import/lookup.js'),
        import('../etl/import/run.js'),
        import('../etl/import/mapping-file.js'),
        import('../etl/import/dates.js'),
        import('../etl/import/preview.js'),
        import('../etl/import/read-plan.js'),
        import('../etl/import/plan-estimate.js'),
      ]);
      // First: the mapping file fills the flags not given (--map, --lookup, --group-by, and the
      // --date-format, --timezone and --match flags by those names), so everything below reads both.
      const constants = await applyMappingFile(flags);
      const formats = {
        ...(flags.dateFormat !== undefined ? { pattern: dates.parseDateFormat(flags.dateFormat) } : {}),
        ...(flags.timezone !== undefined ? { timeZone: dates.checkTimeZone(flags.timezone) } : {}),
      };
      const sample = dryRun.sample();
      const preview: PreviewEntry[] = [];
      // An undo deletes a record once however many rows list it (an order on each of its line items).
      const onDuplicate = flags.onDuplicate?.toLowerCase() ?? (flags.onlyCreated ? 'first' : 'error');
      if (!(ON_DUPLICATE as readonly string[]).includes(onDuplicate)) {
        throw new UsageError(`--on-duplicate: "${flags.onDuplicate}" is not a policy`, { hint: 'use first, last or error' });
      }
      const duplicateOption =
        flags.duplicateOption === undefined ? undefined : checkDuplicateOption(resource.duplicateOptions, flags.duplicateOption);
      const request: Omit<ImportRequest, 'account'> = {
        resource,
        file,
        mapping: {
          map: new Map(parseKeyValues(flags.map, '--map')),
          ignoreUnknown: flags.ignoreUnknown ?? false,
          clearEmpty: flags.clearEmpty ?? false,
          onlyCreated: flags.onlyCreated ?? false,
          ...(flags.groupBy !== undefined ? { groupBy: flags.groupBy } : {}),
          ...(flags.optInReason !== undefined ? { optInReason: flags.optInReason } : {}),
          ...(Object.keys(formats).length ? { formats } : {}),
        },
        lookups: flags.lookup.map((text) => parseLookup(text)),
        ...(constants.size ? { constants } : {}),
        onDuplicate: onDuplicate as ImportRequest['onDuplicate'],
        createTags: flags.createTags ?? false,
        dryRun: flags.dryRun ?? false,
        ...(flags.dryRun
          ? {
              preview: {
                ...(sample !== undefined ? { limit: parsePositiveInt(sample, '--dry-run=N') } : {}),
                onEntry: async (entry: PreviewEntry) => {
                  if (flags.json) preview.push(entry);
                  else if (!io.stdout.write(previewText(entry))) await once(io.stdout, 'drain');
                },
              },
            }
          : {}),
        concurrency: flags.concurrency === undefined ? 8 : parsePositiveInt(flags.concurrency, '--concurrency'),
        resume: flags.resume ?? false,
        skipUnchanged: !flags.sendUnchanged,
        ifUnchanged: flags.ifUnchanged ?? false,
        ...(flags.match !== undefined ? { match: flags.match } : {}),
        ...(flags.reads !== undefined ? { reads: parseChoice(flags.reads, READS_CHOICES, '--reads') } : {}),
        ...(flags.plan ? { plan: true } : {}),
        stdin: io.stdin,
        now: io.now,
        ...settleFromEnv(io.env),
        ...(flags.action !== undefined ? { action: parseImportAction(flags.action) } : {}),
        ...(flags.format !== undefined ? { format: flags.format } : {}),
        ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
        ...(duplicateOption ? { duplicateOption } : {}),
        ...(flags.errors !== undefined ? { errors: flags.errors } : {}),
        ...(flags.results !== undefined ? { results: flags.results } : {}),
        ...(flags.maxErrors !== undefined ? { maxErrors: parsePositiveInt(flags.maxErrors, '--max-errors') } : {}),
      };
      if (file === '-' && (io.stdin as { isTTY?: boolean }).isTTY) {
        throw new UsageError('import - reads the rows from stdin, which is a terminal here', {
          hint: 'pipe the file in (import contacts - --format csv < contacts.csv), or name the file',
        });
      }
      if (request.dryRun && request.resume)
        throw new UsageError('--dry-run sends nothing, so there is nothing to --resume', { hint: 'leave out one of them' });
      if (request.plan && (request.dryRun || request.resume))
        throw new UsageError(`--plan only estimates, so it does not go with --${request.dryRun ? 'dry-run' : 'resume'}`);

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
      reporterFor(globalOptions(command), io).info(importSummary(outcome));
      if (flags.json) printJson(flags.dryRun ? { ...outcome, preview } : outcome, io.stdout);
      const { invalid, failed, unknown } = outcome.counts;
      if (invalid || failed || unknown || outcome.stoppedEarly) {
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
        );
      }
    });
}

/**
 * INFUSIONSOFT_IMPORT_SETTLE_MS (for tests, not for users): how long after its send an unknown row
 * is looked up, instead of 60 s, so a test through the binary takes no real minute.
 */
function settleFromEnv(env: NodeJS.ProcessEnv): { settleMs?: number } {
  const text = env.INFUSIONSOFT_IMPORT_SETTLE_MS;
  const settleMs = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isSafeInteger(settleMs) && settleMs >= 0 ? { settleMs } : {};
}

function parseChoice<T extends string>(value: string, choices: readonly T[], flag: string): T {
  const found = choices.find((choice) => choice === value.trim().toLowerCase());
  if (!found) throw new UsageError(`${flag}: "${value}" is not one of ${choices.join(', ')}`);
  return found;
}

function checkDuplicateOption(allowed: readonly string[] | undefined, value: string): string {
  if (!allowed?.length) throw new UsageError('--duplicate-option is for upserts, and this resource has none');
  const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
  if (!match) throw new UsageError(`--duplicate-option: "${value}" is not one of ${allowed.join(', ')}`);
  return match;
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
