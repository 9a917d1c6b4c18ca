/** `export --all -o DIR/`: the flags of a whole-account export, checked, then one engine call (etl/export/all.ts). */
import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { counted } from '../reporter.js';
import { globalOptions, reporterFor, withSession } from './context.js';
import { exportFormat } from './export-format.js';
import { exportSummary } from './export-summary.js';
import { runInterruptible } from './interrupt.js';
import { printJson } from './output.js';

/** The flags `export` takes that `--all` uses; the rest are about one resource. */
export interface ExportAllFlags {
  /** Checked by commander (export's declaration). */
  format?: Parameters<typeof exportFormat>[0];
  output?: string;
  force?: boolean;
  max?: number;
  pageSize?: number;
  state?: string;
  fullRefresh?: boolean;
  concurrency?: number;
  json?: boolean;
}

/**
 * The flags --all uses. Any other (`--fields`, `--where`, `--param`, `--since`, `--deleted`...) is
 * about one resource and refused, including flags added later that nobody thought of here.
 */
const ALL_FLAGS = new Set(['all', 'format', 'output', 'force', 'max', 'pageSize', 'state', 'fullRefresh', 'concurrency', 'json']);

/** `detectDeletes` -> `--detect-deletes`: a flag as it was typed. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export async function exportAllCommand(
  resourceName: string | undefined,
  flags: ExportAllFlags & Record<string, unknown>,
  command: Command,
  io: IO,
): Promise<void> {
  if (resourceName !== undefined) {
    throw new UsageError(`--all exports every resource: leave out "${resourceName}"`, {
      hint: `or export ${resourceName} on its own, without --all`,
    });
  }
  for (const [key, value] of Object.entries(flags)) {
    const given = value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
    if (given && !ALL_FLAGS.has(key)) {
      const flag = flagName(key);
      throw new UsageError(`${flag} cannot be used with --all`, { hint: `${flag} is about one resource: export it on its own` });
    }
  }
  const dir = flags.output;
  if (dir === undefined || dir === '-') {
    throw new UsageError('--all needs -o DIR/: it writes one file per resource, and manifest.json, into a folder', {
      hint: 'for example: infusionsoft export --all -o keap-backup/',
    });
  }
  const { runExportAll } = await import('../etl/export/all.js');
  const { format } = exportFormat(flags.format, undefined);
  const template = {
    format,
    where: [],
    params: [],
    fullRefresh: flags.fullRefresh ?? false,
    stdout: io.stdout,
    now: io.now,
    ...(flags.force ? { force: true } : {}),
    ...(flags.state !== undefined ? { stateFile: flags.state } : {}),
    ...(flags.max !== undefined ? { max: flags.max } : {}),
    ...(flags.pageSize !== undefined ? { pageSize: flags.pageSize } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
  };
  const reporter = reporterFor(globalOptions(command), io);
  const started = performance.now();
  const outcome = await runInterruptible(
    (signal) =>
      withSession(
        command,
        io,
        ({ api, reporter: sessionReporter }) =>
          runExportAll(api, dir, { ...template, signal }, sessionReporter, (done) => sessionReporter.info(exportSummary(done))),
        template.concurrency ? { concurrency: template.concurrency } : {},
      ),
    'export --all interrupted',
  );
  const { manifest, failed } = outcome;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  reporter.info(
    `exported ${counted(manifest.resources.length, 'resource')} to ${dir} (manifest.json) in ${seconds} s: ` +
      `${manifest.resources.length - failed.length} written${failed.length ? `, ${failed.length} failed` : ''}`,
  );
  if (flags.json) printJson(manifest, io.stdout);
  if (failed.length) {
    throw new CliError(
      `${failed.length} of ${counted(manifest.resources.length, 'resource')} failed: ${failed.map((e) => e.resource).join(', ')}`,
      {
        hint: `the others were written, and ${outcome.manifestPath} says which failed and why; export a failed one on its own to see the whole error`,
      },
    );
  }
}
