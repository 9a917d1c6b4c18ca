/**
 * A record as rows: its table's row (catalog columns, custom fields by column, `_extra` for what
 * the catalog does not know, `_hash` of the whole record) and its child tables' rows. A value that
 * does not fit its column goes to the column's text variant and is counted; columns a page needs
 * that the table lacks (a variant, a child item's new property) are noted for the merge to add.
 */
import type { CustomFieldModel } from '../custom-fields.js';
import { contentHash, type LineOrder, RecordLines } from './content-hash.js';
import {
  type CellValue,
  type ChildSpec,
  type Column,
  childTable,
  DELETED_AT,
  EXTRA,
  fitValue,
  HASH,
  inferType,
  keyedByHash,
  parentColumn,
  POSITION,
  type ResourceLayout,
  type SqlType,
  SYNCED_AT,
  type TableSpec,
  variantText,
} from './layout.js';
import { identifier, variantColumn, withSuffix } from './naming.js';

/**
 * The columns each table has (or will have once the page's additions are made), in order. The
 * next page is built while the current one is written (see read-ahead.ts), so what it adds waits
 * in `pendingTables`/`pendingColumns` until a page's transaction takes it (`take`). A page is
 * encoded in the columns known when it was built (merge.ts `encodePage`), all of which its own
 * transaction has made by the time it writes.
 */
export class TableColumns {
  readonly tables = new Map<
    string,
    { spec: TableSpec; columns: Map<string, SqlType>; exists: boolean; slots: Map<string, number>; order?: LineOrder }
  >();
  /** Tables and columns a page needs that do not exist yet. */
  readonly pendingTables: TableSpec[] = [];
  readonly pendingColumns: Array<{ table: string; column: Column }> = [];

  know(spec: TableSpec, existing: Map<string, SqlType> | undefined): void {
    const columns = new Map<string, SqlType>(existing ?? spec.columns.map((c) => [c.name, c.type]));
    const slots = new Map([...columns.keys()].map((name, i) => [name, i]));
    this.tables.set(spec.name, { spec, columns, exists: existing !== undefined, slots });
    if (!existing) this.pendingTables.push(spec);
  }

  has(table: string): boolean {
    return this.tables.has(table);
  }

  /** Whether the table exists, or its creation was taken into the current transaction. */
  created(table: string): boolean {
    return this.tables.has(table) && !this.pendingTables.some((spec) => spec.name === table);
  }

  typeOf(table: string, column: string): SqlType | undefined {
    return this.tables.get(table)?.columns.get(column);
  }

  /** Makes sure the column exists (add-only), with `type` when it is new. */
  ensure(table: string, column: string, type: SqlType): SqlType {
    const entry = this.tables.get(table);
    if (!entry) throw new Error(`unknown table ${table}`);
    const known = entry.columns.get(column);
    if (known) return known;
    entry.columns.set(column, type);
    entry.slots.set(column, entry.slots.size);
    entry.order = undefined;
    this.pendingColumns.push({ table, column: { name: column, type } });
    return type;
  }

  /** Where a column's value sits in the table's rows (`Row`): columns keep their place once known. */
  slot(table: string, column: string): number {
    const slot = this.tables.get(table)?.slots.get(column);
    if (slot === undefined) throw new Error(`unknown column ${table}.${column}`);
    return slot;
  }

  /** Where each of `order`'s columns sits in the table's rows. */
  slotsOf(table: string, order: readonly string[]): number[] {
    return order.map((column) => this.slot(table, column));
  }

  /** The table's columns, its key first. */
  ordered(table: string): string[] {
    const entry = this.tables.get(table);
    if (!entry) return [];
    const key = entry.spec.key;
    return [...key, ...[...entry.columns.keys()].filter((c) => !key.includes(c))];
  }

  /**
   * The order a table's lines are written and encoded in (content-hash.ts): asked for every record,
   * so worked out once per set of columns. A column added comes last among the data columns.
   */
  lineOrder(table: string): LineOrder {
    const entry = this.tables.get(table);
    if (!entry) throw new Error(`unknown table ${table}`);
    if (!entry.order) {
      const names = this.ordered(table);
      const data = names.filter((name) => !BOOKKEEPING.includes(name) || entry.spec.key.includes(name));
      const columns = [...data, ...names.filter((name) => !data.includes(name))];
      entry.order = { columns, slots: this.slotsOf(table, columns), data: data.length };
    }
    return entry.order;
  }

  /** The additions waiting, handed to the transaction that makes them (and no longer waiting). */
  take(): { tables: TableSpec[]; columns: Array<{ table: string; column: Column }> } {
    return { tables: this.pendingTables.splice(0), columns: this.pendingColumns.splice(0) };
  }

  /**
   * Called once a page's additions are committed. What a page built meanwhile added still waits
   * for its own transaction.
   */
  settled(): void {
    for (const entry of this.tables.values()) if (!this.pendingTables.includes(entry.spec)) entry.exists = true;
  }
}

/** A row's columns that its hash does not cover: written after its data (`LineOrder`). */
const BOOKKEEPING = [HASH, SYNCED_AT, DELETED_AT];
const NO_LINES: LineOrder = { columns: [], slots: [], data: 0 };

/**
 * One table's row of a page: values by column slot (`TableColumns.slot`), a hole where the row has
 * none. An array, not a map by name: a sync builds hundreds of thousands of them.
 */
export type Row = Array<CellValue | undefined>;

/** What a page keeps of a record until it is encoded (merge.ts `encodePage`). */
export interface RecordRows {
  /** The row's key values, in the table's key order. */
  key: CellValue[];
  /** Its row's line in the page's `RecordLines` (kept); its child rows' lines follow, table by table in the layout's order. */
  line: number;
  /** How many rows each child table has of it, in the layout's order. */
  childRows: number[];
  /**
   * Its rows as values, for a destination that binds them (SQLite). Where the destination takes
   * the lines instead (PostgreSQL), the arrays are not kept, and die young.
   */
  values?: { row: Row; children: Map<string, Row[]> };
}

export interface RowCounts {
  variants: number;
}

export class RowBuilder {
  /** The layout's field columns as a list, and the names each row repeats, worked out once: a sync builds millions of rows. */
  private readonly fields: Array<{ field: string; name: string; type: SqlType }>;
  /** The fields' slots in the table's rows, known once the table's columns are (at the first record). */
  private fieldSlots?: number[];
  private readonly parentColumns: string[];
  /** An item property's column name, by the property (and its parent, for a nested object's). */
  private readonly itemColumns = new Map<string, string>();
  /**
   * Where records are written as lines, for a destination that takes them: their hash is then over
   * those lines. Not for a resource keyed by its hash, whose keys would change with it.
   */
  readonly lines: RecordLines | undefined;

  constructor(
    private readonly layout: ResourceLayout,
    private readonly columns: TableColumns,
    /** Custom field id -> its column and type. */
    private readonly customColumns: Map<number, Column>,
    private readonly counts: RowCounts,
    /** Whether the destination takes rows as lines (PostgreSQL): see `lines`. */
    takesLines = false,
  ) {
    this.fields = [...layout.fieldColumns].map(([field, column]) => ({ field, name: column.name, type: column.type }));
    this.lines = takesLines && !keyedByHash(layout) ? new RecordLines() : undefined;
    this.parentColumns = layout.table.key.map(parentColumn);
  }

  /** Puts a value in its column, or (not fitting) null there and the value in the text variant. */
  private put(table: string, row: Row, column: string, type: SqlType, value: unknown, slot = this.columns.slot(table, column)): void {
    const fitted = fitValue(type, value);
    if (fitted !== undefined) {
      row[slot] = fitted;
      return;
    }
    this.counts.variants++;
    row[slot] = null;
    const variant = variantColumn(column);
    this.columns.ensure(table, variant, 'text');
    row[this.columns.slot(table, variant)] = variantText(value);
  }

  build(record: Record<string, unknown>, syncedAt: string): RecordRows {
    const { layout } = this;
    const table = layout.table.name;
    const row: Row = [];
    this.fieldSlots ??= this.fields.map((f) => this.columns.slot(table, f.name));
    const slots = this.fieldSlots;
    for (let i = 0; i < slots.length; i++) {
      const { field, name, type } = this.fields[i] as (typeof this.fields)[number];
      this.put(table, row, name, type, record[field], slots[i]);
    }
    const extra: Record<string, unknown> = {};
    this.customValues(record, row, extra);
    // A record is parsed JSON: its own enumerable properties are all there is.
    for (const name in record) if (!layout.placed.has(name)) extra[name] = record[name];
    const at = (column: string) => this.columns.slot(table, column);
    row[at(EXTRA)] = Object.keys(extra).length ? JSON.stringify(extra) : null;
    // A record without a key is keyed by its hash, which its child rows then carry as their parent's key.
    const byHash = keyedByHash(layout);
    const key = layout.table.key.map((k) => row[at(k)] ?? null);
    const children = new Map<string, Row[]>();
    for (const child of layout.children) children.set(child.table, this.childRows(child, key, record[child.field]));
    // Over what the rows hold, before the bookkeeping cells (always empty here) are filled in.
    const { lines } = this;
    const line = lines?.count ?? 0;
    const hash = lines ? lines.write(row, this.columns.lineOrder(table), this.childLines(children)) : contentHash(row, children.values());
    row[at(HASH)] = hash;
    row[at(SYNCED_AT)] = syncedAt;
    row[at(DELETED_AT)] = null;
    if (byHash) {
      key[0] = hash;
      for (const [table, rows] of children) {
        const parent = this.columns.slot(table, this.parentColumns[0] as string);
        for (const child of rows) child[parent] = hash;
      }
    }
    const childRows = layout.children.map((child) => children.get(child.table)?.length ?? 0);
    if (!lines) return { key, line, childRows, values: { row, children } };
    lines.seal(line, row, this.columns.lineOrder(table));
    return { key, line, childRows };
  }

  /** A record's child rows with the order of their tables' lines, in the layout's order. */
  private childLines(children: Map<string, Row[]>): Array<{ rows: Row[]; order: LineOrder }> {
    return this.layout.children.map((child) => {
      const rows = children.get(child.table) ?? [];
      // A child table no item has been seen for may not be known yet: it has no lines to order.
      return { rows, order: rows.length ? this.columns.lineOrder(child.table) : NO_LINES };
    });
  }

  /** Custom fields by their column; a field `/model` does not name goes to `_extra`. */
  private customValues(record: Record<string, unknown>, row: Row, extra: Record<string, unknown>): void {
    const values = record.custom_fields;
    if (!Array.isArray(values)) return;
    const unknown: unknown[] = [];
    for (const item of values) {
      const id = typeof item?.id === 'number' ? item.id : Number(item?.id);
      const column = this.customColumns.get(id);
      if (column) this.put(this.layout.table.name, row, column.name, column.type, item?.content ?? null);
      else unknown.push(item);
    }
    if (unknown.length) extra.custom_fields = unknown;
  }

  /** One child table's rows of a parent from its items (a gathered table rebuilt from its inverse lists). */
  childRowsOf(child: ChildSpec, parentKey: CellValue[], items: unknown): Row[] {
    return this.childRows(child, parentKey, items);
  }

  /** A child table's rows: the parent's key, the item's own key (discriminator or position), its properties. */
  private childRows(child: ChildSpec, parentKey: CellValue[], items: unknown): Row[] {
    if (!Array.isArray(items)) return [];
    if (!this.columns.has(child.table)) this.columns.know(childTable(this.layout, child), undefined);
    const ownKey = child.discriminator ? identifier(child.discriminator) : POSITION;
    const at = (column: string) => this.columns.slot(child.table, column);
    const rows: Row[] = [];
    /** Each row's own key as text; a key seen again (two `EMAIL1`s) keeps its first place and the last item. */
    const keys: string[] = [];
    items.forEach((item, position) => {
      const row: Row = [];
      for (let i = 0; i < this.parentColumns.length; i++) row[at(this.parentColumns[i] as string)] = parentKey[i] ?? null;
      if (!child.discriminator) row[at(POSITION)] = position;
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        // Nested objects one level down as `tag_id`, `tag_name` (readable joins).
        const properties = item as Record<string, unknown>;
        for (const name in properties) {
          const value = properties[name];
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
            const inner = value as Record<string, unknown>;
            for (const sub in inner) this.childValue(child, row, ownKey, this.nestedColumn(name, sub), inner[sub]);
          } else this.childValue(child, row, ownKey, identifier(name), value);
        }
      } else this.childValue(child, row, ownKey, 'value', item);
      if (child.discriminator && (row[at(ownKey)] ?? null) === null) row[at(ownKey)] = `#${position}`;
      const own = String(row[at(ownKey)]);
      const seen = keys.indexOf(own);
      if (seen >= 0) rows[seen] = row;
      else {
        keys.push(own);
        rows.push(row);
      }
    });
    return rows;
  }

  private childValue(child: ChildSpec, row: Row, ownKey: string, column: string, value: unknown): void {
    if (column === ownKey && child.discriminator) {
      row[this.columns.slot(child.table, column)] = typeof value === 'string' ? value : JSON.stringify(value);
      return;
    }
    if (column.startsWith('_') && this.parentColumns.includes(column)) return;
    const known = this.columns.typeOf(child.table, column);
    if (known === undefined && (value === null || value === undefined)) return;
    const type = this.columns.ensure(child.table, column, known ?? inferType(value));
    this.put(child.table, row, column, type, value);
  }

  private nestedColumn(name: string, sub: string): string {
    const key = `${name}\u0000${sub}`;
    let column = this.itemColumns.get(key);
    if (column === undefined) {
      column = identifier(withSuffix(identifier(name, 30), `_${identifier(sub, 30)}`));
      this.itemColumns.set(key, column);
    }
    return column;
  }
}

/** Custom-field columns' types, from the model. */
export function customTypes(model: CustomFieldModel | undefined): Map<number, string | undefined> {
  return new Map((model?.fields ?? []).map((f) => [f.id, f.fieldType]));
}
