/**
 * Rows sharing a group value (`order_ref`) -> one body: the record's own fields come from the
 * group's rows and must agree (empty cells do not conflict), and each row adds its items to the
 * item array (orders: `order_items`). The group column itself is never sent.
 */
import type { ColumnPlan, MappedRow } from './mapping.js';
import type { RowProblem } from './validate.js';

export interface GroupedUnit {
  /** The input rows of the unit, in input order. */
  rows: number[];
  mapped: MappedRow;
  problems: RowProblem[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Merges one row's values into the unit's, recording which row gave each value and any disagreement. */
class Merger {
  readonly problems: RowProblem[] = [];
  private readonly givenBy = new Map<string, number>();

  constructor(private readonly plan: ColumnPlan) {}

  into(target: Record<string, unknown>, source: Record<string, unknown>, row: number, prefix = ''): void {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const path = `${prefix}${key}`;
      const current = target[key];
      if (current === undefined) {
        target[key] = isObject(value) ? structuredClone(value) : value;
        this.record(path, value, row);
      } else if (isObject(current) && isObject(value)) {
        this.into(current, value, row, `${path}.`);
      } else if (JSON.stringify(current) !== JSON.stringify(value)) {
        const first = this.givenBy.get(path);
        this.problems.push({
          field: this.plan.columnFor(path) ?? path,
          message: `rows ${first} and ${row} of group disagree: ${show(current)} and ${show(value)}`,
        });
      }
    }
  }

  private record(path: string, value: unknown, row: number): void {
    this.givenBy.set(path, row);
    if (isObject(value)) for (const key of Object.keys(value)) this.record(`${path}.${key}`, value[key], row);
  }
}

/** The item array's elements of one row, and their rows. */
function takeItems(mapped: MappedRow, itemArray: string | undefined): unknown[] {
  const items = itemArray ? mapped.body[itemArray] : undefined;
  return Array.isArray(items) ? items : [];
}

function mergeGroup(plan: ColumnPlan, group: string, members: readonly MappedRow[]): GroupedUnit {
  const merger = new Merger(plan);
  const body: Record<string, unknown> = {};
  const path: Record<string, string | number> = {};
  const items: unknown[] = [];
  const itemRows: number[] = [];
  const tags: Array<string | number> = [];
  const partial = new Set<string>();
  const covered: Record<string, string[]> = {};
  for (const mapped of members) {
    const { [plan.itemArray ?? '']: _items, ...own } = mapped.body;
    merger.into(body, own, mapped.row);
    merger.into(path, mapped.path, mapped.row);
    for (const item of takeItems(mapped, plan.itemArray)) {
      items.push(item);
      itemRows.push(mapped.row);
    }
    for (const tag of mapped.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
    for (const name of mapped.partialArrays) partial.add(name);
    for (const [name, values] of Object.entries(mapped.coveredValues ?? {}))
      covered[name] = [...new Set([...(covered[name] ?? []), ...values])];
  }
  if (plan.itemArray && items.length > 0) body[plan.itemArray] = items;
  const first = members[0]!;
  const rows = members.map((m) => m.row);
  const mapped: MappedRow = {
    row: Math.min(...rows),
    body,
    path,
    group,
    partialArrays: [...partial],
    itemRows,
    ...(tags.length ? { tags } : {}),
    ...(Object.keys(covered).length ? { coveredValues: covered } : {}),
    ...(first.onlyCreated ? { onlyCreated: first.onlyCreated } : {}),
  };
  return { rows, mapped, problems: merger.problems };
}

type Entry = { single: MappedRow; problem?: RowProblem } | { group: string };

/**
 * Collects mapped rows and hands back units of work: one per group value (in first-seen order), or
 * one per row when the plan has no group column. A row without a group value is a unit of its own
 * with a problem naming the group column.
 */
export class RowGrouper {
  private readonly entries: Entry[] = [];
  private readonly groups = new Map<string, MappedRow[]>();

  constructor(private readonly plan: ColumnPlan) {}

  add(mapped: MappedRow): void {
    const groupBy = this.plan.groupBy;
    if (!groupBy) {
      this.entries.push({ single: mapped });
    } else if (mapped.group === undefined) {
      const problem = { field: groupBy, message: `${groupBy} is empty: every row needs the ${groupBy} of the record it belongs to` };
      this.entries.push({ single: mapped, problem });
    } else {
      const members = this.groups.get(mapped.group);
      if (members) members.push(mapped);
      else {
        this.groups.set(mapped.group, [mapped]);
        this.entries.push({ group: mapped.group });
      }
    }
  }

  units(): GroupedUnit[] {
    return this.entries.map((entry) => {
      if ('group' in entry) return mergeGroup(this.plan, entry.group, this.groups.get(entry.group) ?? []);
      const { single, problem } = entry;
      const itemRows = takeItems(single, this.plan.itemArray).map(() => single.row);
      return { rows: [single.row], mapped: { ...single, ...(itemRows.length ? { itemRows } : {}) }, problems: problem ? [problem] : [] };
    });
  }
}
