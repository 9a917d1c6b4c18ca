/** The format and compression `export` writes, from `--format` or the `-o` name (shared with `export --all`). */
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import type { ExportFormat } from '../etl/export/types.js';

/**
 * The formats `--format` offers: every ExportFormat, as a typecheck fails when one is missing here.
 * Listed here, not taken from the writers, so that registering `export` loads no export code
 * (issue 19, start-up).
 */
const FORMATS: Record<ExportFormat, true> = { csv: true, json: true, ndjson: true };
export const EXPORT_FORMATS = Object.keys(FORMATS) as readonly ExportFormat[];

/** Extensions export writes, and the format each means. */
const EXTENSION_FORMATS: Record<string, ExportFormat> = { csv: 'csv', json: 'json', ndjson: 'ndjson', jsonl: 'ndjson' };

/**
 * The format and compression of an export: `--format` (checked by commander), else the output file's extension
 * (`.csv`, `.json`, `.ndjson`, `.jsonl`, each optionally `.gz`), else ndjson (lossless). An
 * extension the tool cannot write (`.parquet`, `.xlsx`) is refused before any request, rather than
 * filling it with NDJSON.
 */
export function exportFormat(flag: ExportFormat | undefined, output: string | undefined): { format: ExportFormat; gzip: boolean } {
  const name = output === undefined || output === '-' ? '' : basename(output).toLowerCase();
  const gzip = name.endsWith('.gz');
  const extension = (gzip ? name.slice(0, -3) : name).match(/\.([a-z][a-z0-9]*)$/)?.[1];
  if (flag !== undefined) return { format: flag, gzip };
  if (extension === undefined) return { format: 'ndjson', gzip };
  const format = EXTENSION_FORMATS[extension];
  if (format) return { format, gzip };
  throw new UsageError(`-o ${output}: export cannot write .${extension} files`, {
    hint: 'name the file .csv, .json or .ndjson (add .gz to compress it), or give --format csv|json|ndjson to write that format under this name',
  });
}
