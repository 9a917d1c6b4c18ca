/**
 * The inverse plan's values (issue 17, item 1): a gathered field built for every record from its
 * inverse lists, read once before the records, instead of one request per record.
 *
 * What is held: each group's record (a few hundred tags), each distinct member tuple once (for tags,
 * the `date_applied` strings, which repeat across a bulk application), and per record a flat array
 * of [group index, tuple index] pairs. For 100,000 contacts with about 4 tags each that is one map
 * entry and one small array per contact, around 10 MB; the elements themselves are built only
 * when the record is written.
 */
import type { KeapApi } from '../api/types.js';
import type { GatheredDef, InverseList } from '../catalog/types.js';
import { pick } from './project.js';
import { type InverseRead, type KnownGroups, readInverseLists } from './inverse-lists.js';

type Source = { side: 'group' | 'member'; path: string; index: number };

export class InverseValues {
  private readonly groups: Record<string, unknown>[] = [];
  private readonly tuples: unknown[][] = [];
  private readonly tupleIndex = new Map<string, number>();
  /** Record id -> [group index, tuple index, group index, tuple index, ...]. */
  private readonly byRecord = new Map<string | number, number[]>();
  private readonly sources: Array<[target: string[], source: Source]>;
  readonly memberPaths: string[];

  constructor(
    private readonly def: GatheredDef,
    private readonly inverse: InverseList & { element: Record<string, string> },
    /** The record's field that holds the id the members name (`id`). */
    private readonly recordKey: string,
  ) {
    this.memberPaths = memberPathsOf(inverse);
    this.sources = Object.entries(inverse.element).map(([target, from]) => {
      const [side, ...rest] = from.split('.');
      const path = rest.join('.');
      if (side !== 'group' && side !== 'member')
        throw new Error(`${def.name}: inverse element ${target} <- ${from}: not group.* or member.*`);
      return [target.split('.'), { side, path, index: side === 'member' ? this.memberPaths.indexOf(path) : -1 }];
    });
  }

  addGroup(group: Record<string, unknown>, index: number): void {
    this.groups[index] = group;
  }

  addMembers(groupIndex: number, members: ReadonlyArray<[string | number, ...unknown[]]>): void {
    for (const [id, ...values] of members) {
      const text = JSON.stringify(values);
      let tuple = this.tupleIndex.get(text);
      if (tuple === undefined) {
        tuple = this.tuples.push(values) - 1;
        this.tupleIndex.set(text, tuple);
      }
      // Ids arrive as numbers (`contact.id`); a record's id is matched in the same form.
      const key = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
      const pairs = this.byRecord.get(key);
      if (pairs) pairs.push(groupIndex, tuple);
      else this.byRecord.set(key, [groupIndex, tuple]);
    }
  }

  /** Records that carry at least one membership. */
  get size(): number {
    return this.byRecord.size;
  }

  /** The field's value for a record, as the per-record plan gives it, in the field's order. */
  valueOf(record: Record<string, unknown>): unknown[] {
    const raw = record[this.recordKey];
    const key = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : (raw as string | number);
    const pairs = this.byRecord.get(key) ?? [];
    const elements: Record<string, unknown>[] = [];
    for (let i = 0; i < pairs.length; i += 2) elements.push(this.element(pairs[i] as number, pairs[i + 1] as number));
    return sortByPath(elements, this.def.orderBy);
  }

  private element(groupIndex: number, tupleIndex: number): Record<string, unknown> {
    const group = this.groups[groupIndex];
    const tuple = this.tuples[tupleIndex] ?? [];
    const element: Record<string, unknown> = {};
    for (const [target, source] of this.sources) {
      let value = source.side === 'group' ? pick(group, source.path) : tuple[source.index];
      if (value === undefined) value = this.inverse.absent?.[target.join('.')] ?? null;
      setPath(element, target, value);
    }
    return element;
  }
}

/** The member fields an element takes (`date_applied`), in a fixed order: what the reader keeps of each member. */
export function memberPathsOf(inverse: InverseList & { element: Record<string, string> }): string[] {
  const paths: string[] = [];
  for (const from of Object.values(inverse.element)) {
    const [side, ...rest] = from.split('.');
    if (side === 'member' && !paths.includes(rest.join('.'))) paths.push(rest.join('.'));
  }
  return paths;
}

function setPath(into: Record<string, unknown>, path: string[], value: unknown): void {
  let at = into;
  for (const part of path.slice(0, -1)) {
    const next = at[part];
    if (next && typeof next === 'object') at = next as Record<string, unknown>;
    else at = at[part] = {};
  }
  at[path[path.length - 1] as string] = value;
}

/** Values in the field's documented order (numbers as numbers, else as text); stable for equal keys. */
export function sortByPath<T>(items: T[], path: string | undefined): T[] {
  if (!path || items.length < 2) return items;
  const key = (item: T) => pick(item, path);
  return items
    .map((item, index) => ({ item, index, key: key(item) }))
    .sort((a, b) => compare(a.key, b.key) || a.index - b.index)
    .map((entry) => entry.item);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

/** Whether a gathered field can be read the other way round: it has inverse lists and says how to build its elements. */
export function invertible(def: GatheredDef): def is GatheredDef & { inverse: InverseList & { element: Record<string, string> } } {
  return def.inverse?.element !== undefined;
}

/** Reads the inverse lists of `def` into the values of every record. */
export async function readInverseValues(
  api: KeapApi,
  def: GatheredDef & { inverse: InverseList & { element: Record<string, string> } },
  recordKey: string,
  options: { signal?: AbortSignal; pageSize?: number; known?: KnownGroups } = {},
): Promise<{ values: InverseValues; read: InverseRead }> {
  const values = new InverseValues(def, def.inverse, recordKey);
  const read = await readInverseLists(api, def.inverse, {
    memberPaths: values.memberPaths,
    onGroup: (group, index) => values.addGroup(group, index),
    onMembers: (index, members) => values.addMembers(index, members),
    ...options,
  });
  return { values, read };
}
