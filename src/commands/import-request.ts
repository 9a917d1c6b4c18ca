/**
 * `import`'s flags read into the engine's request (etl/import/run.ts). Loaded only when an import
 * runs: it brings the mapping, lookup and date parsers with it. Choices and numbers were already
 * checked by commander (import.ts); what is checked here needs the resource or another flag.
 */
import { once } from 'node:events';
import type { ResourceDef } from '../catalog/types.js';
import { UsageError } from '../errors.js';
import type { OnDuplicate } from '../etl/import/check.js';
import { checkTimeZone, parseDateFormat } from '../etl/import/dates.js';
import { parseLookup } from '../etl/import/lookup.js';
import { applyMappingFile } from '../etl/import/mapping-file.js';
import { type PreviewEntry, previewText } from '../etl/import/preview.js';
import type { ReadsChoice } from '../etl/import/read-plan.js';
import type { ImportRequest } from '../etl/import/run.js';
import type { ImportActionKind } from '../etl/import/types.js';
import { parseKeyValues } from '../etl/key-values.js';
import type { IO } from '../io.js';
import { parsePositiveInt } from './args.js';

export interface ImportFlags {
  action?: ImportActionKind;
  format?: string;
  delimiter?: string;
  map: string[];
  lookup: string[];
  mapping?: string;
  set: string[];
  groupBy?: string;
  duplicateOption?: string;
  onDuplicate?: OnDuplicate;
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
  maxErrors?: number;
  concurrency?: number;
  resume?: boolean;
  sendUnchanged?: boolean;
  match?: string;
  ifUnchanged?: boolean;
  reads?: ReadsChoice;
  plan?: boolean;
  json?: boolean;
}

/** A request without its account, which the session adds. */
export type ImportCall = Omit<ImportRequest, 'account'>;

/**
 * The request the flags describe. `sample` is N of `--dry-run=N`; a dry run's preview entries are
 * printed as they come, or kept in `preview` for --json.
 */
export async function importRequest(
  resource: ResourceDef,
  file: string,
  flags: ImportFlags,
  sample: string | undefined,
  io: IO,
): Promise<{ request: ImportCall; preview: PreviewEntry[] }> {
  // First: the mapping file fills the flags not given (--map, --lookup, --group-by, and the
  // --date-format, --timezone and --match flags by those names), so everything below reads both.
  const constants = await applyMappingFile(flags);
  const formats = {
    ...(flags.dateFormat !== undefined ? { pattern: parseDateFormat(flags.dateFormat) } : {}),
    ...(flags.timezone !== undefined ? { timeZone: checkTimeZone(flags.timezone) } : {}),
  };
  const preview: PreviewEntry[] = [];
  const duplicateOption =
    flags.duplicateOption === undefined ? undefined : checkDuplicateOption(resource.duplicateOptions, flags.duplicateOption);
  const request: ImportCall = {
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
    // An undo deletes a record once however many rows list it (an order on each of its line items).
    onDuplicate: flags.onDuplicate ?? (flags.onlyCreated ? 'first' : 'error'),
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
    concurrency: flags.concurrency ?? 8,
    resume: flags.resume ?? false,
    skipUnchanged: !flags.sendUnchanged,
    ifUnchanged: flags.ifUnchanged ?? false,
    ...(flags.match !== undefined ? { match: flags.match } : {}),
    ...(flags.reads !== undefined ? { reads: flags.reads } : {}),
    ...(flags.plan ? { plan: true } : {}),
    stdin: io.stdin,
    now: io.now,
    ...settleFromEnv(io.env),
    ...(flags.action !== undefined ? { action: flags.action } : {}),
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
    ...(duplicateOption ? { duplicateOption } : {}),
    ...(flags.errors !== undefined ? { errors: flags.errors } : {}),
    ...(flags.results !== undefined ? { results: flags.results } : {}),
    ...(flags.maxErrors !== undefined ? { maxErrors: flags.maxErrors } : {}),
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
  return { request, preview };
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

/** `--duplicate-option`: the resource's own list (Email, EmailAndName for contacts), in any case. */
function checkDuplicateOption(allowed: readonly string[] | undefined, value: string): string {
  if (!allowed?.length) throw new UsageError('--duplicate-option is for upserts, and this resource has none');
  const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
  if (!match) throw new UsageError(`--duplicate-option: "${value}" is not one of ${allowed.join(', ')}`);
  return match;
}
