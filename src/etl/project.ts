/**
 * `--fields` for json and ndjson: keeps only the given dot paths, with the record's nesting.
 * A segment after an array picks the element whose discriminator (default `field`) has that value
 * (`email_addresses.EMAIL1.email` keeps `email_addresses: [{field: "EMAIL1", email: ...}]`); a
 * number picks by position; in a list whose elements have no discriminator (an order's items),
 * the segment names a part of every element (`order_items.name`). `custom.<label>` takes the rest of the path as the label (labels may
 * contain dots). A path the record lacks is null where an object could hold it, and left out
 * inside arrays.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitPath(path: string): string[] {
  if (path.startsWith('custom.')) return ['custom', path.slice('custom.'.length)];
  return path.split('.');
}

/** Copies `source` at `path` into `target`, creating the same nesting. */
function copyPath(
  source: unknown,
  target: Record<string, unknown>,
  path: readonly string[],
  discriminator: string,
  copies: Map<unknown, Record<string, unknown>>,
): void {
  const [head, ...rest] = path;
  if (head === undefined || !isObject(source)) return;
  const value = source[head];
  if (rest.length === 0 || value === null || value === undefined) {
    if (!(head in target) || rest.length === 0) target[head] = value === undefined ? null : value;
    return;
  }
  if (Array.isArray(value)) {
    const [selector, ...deeper] = rest;
    if (selector === undefined) return;
    const index = /^\d+$/.test(selector) ? Number(selector) : -1;
    // A list without discriminators (an order's items): the path names a part of every element.
    if (index < 0 && !value.some((e) => isObject(e) && discriminator in e)) {
      const existingList = target[head];
      const list: unknown[] = Array.isArray(existingList) ? existingList : [];
      target[head] = list;
      for (const element of value) {
        if (!isObject(element)) continue;
        let copy = copies.get(element);
        if (!copy) {
          copy = {};
          copies.set(element, copy);
          list.push(copy);
        }
        copyPath(element, copy, rest, discriminator, copies);
      }
      return;
    }
    const element = index >= 0 ? value[index] : value.find((e) => isObject(e) && e[discriminator] === selector);
    if (element === undefined) {
      if (!Array.isArray(target[head])) target[head] = [];
      return;
    }
    const existing = target[head];
    const list: unknown[] = Array.isArray(existing) ? existing : [];
    target[head] = list;
    if (deeper.length === 0 || !isObject(element)) {
      if (!list.includes(element)) list.push(element);
      return;
    }
    // One copy per source element, however many paths go into it.
    let copy = copies.get(element);
    if (!copy) {
      copy = index >= 0 ? {} : { [discriminator]: selector };
      copies.set(element, copy);
      list.push(copy);
    }
    copyPath(element, copy, deeper, discriminator, copies);
    return;
  }
  const existingChild = target[head];
  const child: Record<string, unknown> = isObject(existingChild) ? existingChild : {};
  target[head] = child;
  copyPath(value, child, rest, discriminator, copies);
}

/** A new record with only `fields` (dot paths), in the order given. */
export function projectRecord(
  record: Record<string, unknown>,
  fields: readonly string[],
  options: { discriminator?: string } = {},
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const discriminator = options.discriminator ?? 'field';
  const copies = new Map<unknown, Record<string, unknown>>();
  for (const field of fields) copyPath(record, result, splitPath(field), discriminator, copies);
  return result;
}

export function pick(record: unknown, dotPath: string): unknown {
  let value: unknown = record;
  for (const part of dotPath.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A wrapped record (`{contact: {...}, date_applied}`, a file's `file_descriptor`) as the catalog's recordMap shapes it. */
export function applyRecordMap(record: unknown, map: Record<string, string> | undefined): Record<string, unknown> {
  if (!map) return (record ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, dotPath] of Object.entries(map)) out[field] = pick(record, dotPath) ?? null;
  return out;
}
