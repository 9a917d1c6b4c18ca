/** The line an export ends with on stderr (shared with `export --all`, which says it once per resource). */
import type { DeletedKey, ExportOutcome, IncrementalOutcome } from '../etl/export/types.js';
import { counted } from '../reporter.js';

/** `exported 2 contacts to contacts.csv (csv) in 0.4 s, 3 requests`, and what else the run has to say. */
export function exportSummary(outcome: ExportOutcome): string {
  const { result, recordNoun, vanished } = outcome;
  const records = (n: number) => counted(n, recordNoun.one, recordNoun.many);
  return (
    `exported ${records(result.records)} to ${result.output} (${result.format}${result.compression ? `, ${result.compression}` : ''}) in ${result.seconds.toFixed(1)} s, ${counted(result.requests, 'request')}` +
    (result.truncated ? ` (stopped at --max ${outcome.max})` : '') +
    (vanished ? ` (${records(vanished)} deleted meanwhile, written with null gathered fields)` : '') +
    (outcome.incremental ? incrementalTail(outcome.incremental) : '')
  );
}

/** The summary line's tail: what hash mode skipped and which records disappeared. */
function incrementalTail(outcome: IncrementalOutcome): string {
  if (outcome.mode !== 'hash') return outcome.deleted && outcome.compared ? deletedTail(outcome.deleted) : '';
  if (outcome.compared === false) return '; first run: every record is new';
  let text = `; ${(outcome.unchanged ?? 0).toLocaleString('en-US')} unchanged, not written`;
  if (outcome.deleted) text += deletedTail(outcome.deleted);
  return text;
}

/** `; 2 deleted since the last run: 14, 15`, the first ten named. */
function deletedTail(deleted: DeletedKey[]): string {
  const shown = deleted.slice(0, 10).map((key) => (typeof key === 'object' ? JSON.stringify(key) : String(key)));
  const more = deleted.length > shown.length ? `, ... (${deleted.length - shown.length} more)` : '';
  return `; ${deleted.length.toLocaleString('en-US')} deleted since the last run${shown.length ? `: ${shown.join(', ')}${more}` : ''}`;
}
