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
  problems: GroupProblem[];
}

/** A problem of a group's body; a disagreement is about both rows, either of which may be wrong. */
export interface GroupProblem extends RowProblem {
  rows?: number[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The input's cells by row, to quote a value as the file has it (an email, not the id it was looked up as). */
type CellsOf = (row: number) => Record<string, unknown> | undefined;

/** Merges one row's values into the unit's, recording which row gave each value and any disagreement. */
class Merger {
  readonly problems: GroupProblem[] = [];
  private readonly givenBy = new Map<string, number>();

  constructor(
    private readonly plan: ColumnPlan,
    private readonly group: string,
    private readonly cellsOf: CellsOf,
  ) {}

  /** A value as the file's cell has it, when the column is known and was kept; else as mapped. */
  private quoted(column: string | undefined, row: number | undefined, value: unknown): string {
    const cell = column === undefined || row === undefined ? undefined : this.cellsOf(row)?.[column];
    return show(cell === undefined || cell === null ? value : cell);
  }

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
        const column = this.plan.columnFor(path);
        const groupBy = this.plan.groupBy ?? 'group';
        this.problems.push({
          field: column ?? path,
          message: `rows ${first} and ${row} of ${groupBy} "${this.group}" disagree: ${this.quoted(column, first, current)} and ${this.quoted(column, row, value)}`,
          rows: first === undefined ? [row] : [first, row],
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

function mergeGroup(plan: ColumnPlan, group: string, members: readonly MappedRow[], cellsOf: CellsOf): GroupedUnit {
  const merger = new Merger(plan, group, cellsOf);
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
  /** Each grouped row's cells as read: a group's bodies are held anyway, and messages quote the file. */
  private readonly cells = new Map<number, Record<string, unknown>>();

  constructor(private readonly plan: ColumnPlan) {}

  /** The cells of a row added with them. */
  cellsOf(row: number): Record<string, unknown> | undefined {
    return this.cells.get(row);
  }

  add(mapped: MappedRow, cells?: Record<string, unknown>): void {
    const groupBy = this.plan.groupBy;
    if (cells) this.cells.set(mapped.row, cells);
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
      if ('group' in entry) return mergeGroup(this.plan, entry.group, this.groups.get(entry.group) ?? [], (row) => this.cellsOf(row));
      const { single, problem } = entry;
      const itemRows = takeItems(single, this.plan.itemArray).map(() => single.row);
      return { rows: [single.row], mapped: { ...single, ...(itemRows.length ? { itemRows } : {}) }, problems: problem ? [problem] : [] };
    });
  }
}

function isBlankCell(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * Which rows of a group its problems are about, so that a continuation row is not blamed for the
 * order's blank cells: a problem that names its rows (an item's, a disagreement's two) goes there; one about
 * an order-level column goes to the first row that fills that column, or to the group's first row
 * when none does (a required cell left blank, which the first row should hold).
 */
export function blameRows(rows: readonly number[], problems: readonly GroupProblem[], cellsOf: CellsOf): Map<number, RowProblem[]> {
  const blamed = new Map<number, RowProblem[]>();
  for (const { rows: named, ...problem } of problems) {
    const column = problem.field;
    const row =
      problem.row ?? (column === undefined ? undefined : rows.find((candidate) => !isBlankCell(cellsOf(candidate)?.[column]))) ?? rows[0];
    for (const each of named ?? (row === undefined ? [] : [row])) blamed.set(each, [...(blamed.get(each) ?? []), problem]);
  }
  return blamed;
}

/** What a row of a group that is held back, but has nothing wrong itself, says. */
export function notSentMessage(groupBy: string, group: string, invalidRows: readonly number[]): string {
  const sorted = [...invalidRows].sort((a, b) => a - b);
  const rows = sorted.length === 1 ? `row ${sorted[0]}` : `rows ${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)}`;
  return `not sent: ${rows} of ${groupBy} "${group}" ${sorted.length === 1 ? 'is' : 'are'} invalid`;
}
