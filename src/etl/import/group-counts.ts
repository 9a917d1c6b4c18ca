/**
 * Counts of an import whose rows are grouped into bodies (orders of line items; issue 13, item 14):
 * the run's counts are of orders throughout (read: the orders in the file, invalid: those held
 * back), and the rows' own counts go beside them, as the results file has them (each row of an
 * order created is `created`). Without this the summary mixed the two: "8 read, 1 created, 6 invalid".
 */
import { singularName } from '../../catalog/index.js';
import type { ResourceDef } from '../../catalog/types.js';
import type { CheckedInput } from './check.js';
import type { OutcomeStatus, RowOutcome } from './types.js';

/** The run's counts by name (`read`, `valid`, then one per outcome). */
export type Counts = Record<string, number>;

export interface GroupedCounts {
  /** The group column (`order_ref`, or `--group-by`). */
  by: string;
  /** What one group is (`order`). */
  noun: string;
  /** The same counts as the run's, of rows. */
  rows: Counts;
}

/**
 * For a grouped import: `counts` as orders, and `grouped` with the rows' counts. `unitOutcome`
 * gives the outcome of the unit that starts at a row (undefined in a dry run or when it was not
 * tried; `settled` says whether a unit without one was skipped). `counts` as they are when rows are not grouped.
 */
export function groupedCounts<C extends Counts>(
  resource: ResourceDef,
  groupBy: string | undefined,
  checked: CheckedInput,
  counts: C,
  unitOutcome: (row: number) => RowOutcome | undefined,
  settled: boolean,
): { counts: C; grouped?: GroupedCounts } {
  if (!checked.units || checked.groups === undefined || groupBy === undefined) return { counts };
  const rows: Counts = Object.fromEntries(Object.keys(counts).map((key) => [key, 0]));
  const add = (status: OutcomeStatus | 'valid', n: number) => {
    rows[status] = (rows[status] ?? 0) + n;
  };
  rows.read = checked.read;
  let invalidRowsAtCheck = 0;
  for (const outcome of checked.outcomes.values()) {
    add(outcome.status, 1);
    if (outcome.status === 'invalid') invalidRowsAtCheck++;
  }
  for (const unit of checked.units) {
    add('valid', unit.rows.length);
    const status = unitOutcome(unit.rows[0] ?? unit.checked.mapped.row)?.status ?? (settled ? 'skipped' : undefined);
    if (status) add(status, unit.rows.length);
  }
  // Every group the check held back is one invalid order, however many of its rows were invalid.
  const invalid = (counts.invalid ?? 0) - invalidRowsAtCheck + (checked.groups - checked.valid);
  return {
    counts: { ...counts, read: checked.groups, invalid },
    grouped: { by: groupBy, noun: singularName(resource), rows },
  };
}
