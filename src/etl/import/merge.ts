/**
 * A partial update's arrays merged with the record's, so that a row never drops what it does not
 * name (issue 13, item 2). Keap may replace a whole array on write (its v2 documentation: "Any item
 * not listed here will be removed"; UNCONFIRMED for v1): the catalog's `arrayWrites` say which
 * arrays, and by which property their elements are told apart. Pure: no network.
 *
 * - The record's elements the row does not name are sent back exactly as read.
 * - An element the row names is merged with the record's: setting PHONE1's number keeps its type.
 *   Where the row's values equal the record's (`"42"` and 42), the element is sent as read, so
 *   resending an unrelated field cannot fail on our reading of it.
 * - An element the row clears (--clear-empty, every cell of it empty) is removed.
 * - New elements follow the record's, in the row's order.
 */
import type { ArrayWrite, BodyProperty, ResourceDef } from '../../catalog/types.js';

export interface ArrayMergeInput {
  resource: ResourceDef;
  /** The body properties of the action, for the components each element takes. */
  properties: readonly BodyProperty[];
  body: Record<string, unknown>;
  record: Record<string, unknown>;
  /** The arrays to merge (MappedRow.partialArrays). */
  arrays: readonly string[];
  /** Per array, the keys of elements the row speaks for (MappedRow.coveredValues): those it does not give are removed. */
  covered?: Readonly<Record<string, readonly unknown[]>>;
}

type Element = Record<string, unknown>;

function isObject(value: unknown): value is Element {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The arrays of a resource that import merges, by name. */
export function arrayWritesOf(resource: ResourceDef): Map<string, ArrayWrite> {
  return new Map((resource.arrayWrites ?? []).map((write) => [write.name, write]));
}

/** The same value as read and as given: text and numbers compared as text, empties alike. */
function sameValue(read: unknown, given: unknown): boolean {
  const empty = (value: unknown) => value === null || value === undefined || value === '';
  if (empty(read) || empty(given)) return empty(read) && empty(given);
  if (typeof read === 'number' || typeof given === 'number') return Number(read) === Number(given) && String(given).trim() !== '';
  if (typeof read === 'object' || typeof given === 'object') return JSON.stringify(read) === JSON.stringify(given);
  return String(read) === String(given);
}

/** One element: the record's, with what the row gives on top; as read when the row changes nothing. */
function mergeElement(read: Element, given: Element): Element {
  if (Object.entries(given).every(([name, value]) => sameValue(read[name], value))) return read;
  return { ...read, ...given };
}

/** The record's element with only the components the body takes (a read may show more). */
function asWritten(element: Element, components: ReadonlySet<string>): Element {
  if (components.size === 0 || Object.keys(element).every((name) => components.has(name))) return element;
  return Object.fromEntries(Object.entries(element).filter(([name]) => components.has(name)));
}

function mergeArray(write: ArrayWrite, input: ArrayMergeInput): unknown[] {
  const { body, record } = input;
  const components = new Set((input.properties.find((p) => p.name === write.name)?.components ?? []).map((c) => c.name));
  const given = (Array.isArray(body[write.name]) ? (body[write.name] as unknown[]) : []).slice();
  const byKey = new Map<unknown, Element>();
  for (const element of given) if (isObject(element) && element[write.key] !== undefined) byKey.set(element[write.key], element);
  const removed = new Set((input.covered?.[write.name] ?? []).filter((key) => !byKey.has(key)));
  const merged: unknown[] = [];
  for (const element of Array.isArray(record[write.name]) ? (record[write.name] as unknown[]) : []) {
    if (!isObject(element)) continue;
    const key = element[write.key];
    if (removed.has(key)) continue;
    const read = asWritten(element, components);
    const mine = byKey.get(key);
    if (mine) given.splice(given.indexOf(mine), 1);
    merged.push(mine ? mergeElement(read, mine) : read);
  }
  return [...merged, ...given];
}

/** The body with each array the row gives (or clears elements of) merged with the record's. */
export function mergeArrays(input: ArrayMergeInput): Record<string, unknown> {
  const writes = arrayWritesOf(input.resource);
  const body = { ...input.body };
  for (const name of input.arrays) {
    const write = writes.get(name);
    if (write) body[name] = mergeArray(write, input);
  }
  return body;
}
