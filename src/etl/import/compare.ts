/**
 * Change detection (issue 13, item 8): before an update the record is read anyway (for merges), so
 * a row whose every value the record already holds is not sent, and is reported `unchanged`.
 *
 * Both sides are normalised the same way before comparing: numbers numerically (an order item's
 * `price` is written as "9.50" and read back as 9.5), date-times as instants. Anything this module
 * cannot show to be equal counts as changed: a false `unchanged` would lose an edit without a word,
 * while a false "changed" costs one request.
 */
import { bodyProperties } from '../../catalog/index.js';
import type { ActionDef, BodyProperty, ResourceDef } from '../../catalog/types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Empty in the sense an import uses it: nothing there to keep or to clear. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date or date-time as an instant (ms), or undefined when the text is not one. */
function instant(value: string): number | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** Two scalars: the same after normalising (see the module comment). */
function sameScalar(sent: unknown, held: unknown): boolean {
  if (sent === held) return true;
  // Numerically only when one side is a number: "0123" and "123" are different phone numbers.
  if (typeof sent === 'number' || typeof held === 'number') {
    const a = asNumber(sent);
    const b = asNumber(held);
    return a !== undefined && a === b;
  }
  if (typeof sent === 'boolean' || typeof held === 'boolean') return String(sent) === String(held);
  if (typeof sent === 'string' && typeof held === 'string') {
    const a = instant(sent);
    const b = instant(held);
    return a !== undefined && a === b;
  }
  return false;
}

/**
 * An element of an array Keap replaces as a whole: every component the body gives must match, and
 * a writable component the record holds but the body leaves out would be dropped by the write, so
 * it makes the element changed.
 */
function sameElement(sent: unknown, held: unknown, components: readonly BodyProperty[] | undefined): boolean {
  if (!isObject(sent) || !isObject(held)) return sameValue(sent, held);
  if (!sameObject(sent, held)) return false;
  return (components ?? []).every((component) => component.name in sent || isEmpty(held[component.name]));
}

/** The body's keys hold the same values in the record; keys only the record has are not written. */
function sameObject(sent: Record<string, unknown>, held: Record<string, unknown>): boolean {
  return Object.entries(sent).every(([key, value]) => sameValue(value, held[key]));
}

/** An element that holds nothing but its key (`{id: 9, content: null}`): dropping it loses nothing. */
function isBlankElement(element: unknown, key: string): boolean {
  return isObject(element) && Object.entries(element).every(([name, value]) => name === key || isEmpty(value));
}

/**
 * Array elements paired by their discriminator (`field`: EMAIL1), else by `id`, else by position.
 * A keyed element the body leaves out is a change unless it holds nothing.
 */
function sameArray(sent: unknown[], held: unknown[], property: BodyProperty | undefined, discriminator?: string): boolean {
  const components = property?.components;
  const key = discriminator ?? (sent.every((element) => isObject(element) && element.id !== undefined) ? 'id' : undefined);
  if (key === undefined)
    return sent.length === held.length && sent.every((element, index) => sameElement(element, held[index], components));
  const byKey = new Map<string, Record<string, unknown>>();
  for (const element of held) {
    if (!isObject(element) || byKey.has(String(element[key]))) return false;
    byKey.set(String(element[key]), element);
  }
  const named = new Set<string>();
  for (const element of sent) {
    if (!isObject(element)) return false;
    const name = String(element[key]);
    if (named.has(name) || !byKey.has(name) || !sameElement(element, byKey.get(name), components)) return false;
    named.add(name);
  }
  return [...byKey].every(([name, element]) => named.has(name) || isBlankElement(element, key));
}

function sameValue(sent: unknown, held: unknown, property?: BodyProperty, discriminator?: string): boolean {
  if (isEmpty(sent)) return isEmpty(held);
  if (Array.isArray(sent)) return Array.isArray(held) && sameArray(sent, held, property, discriminator);
  if (isObject(sent)) return isObject(held) && sameObject(sent, held);
  return sameScalar(sent, held);
}

/**
 * Whether sending `body` would leave `record` as it is: every field of the body already holds the
 * value the body gives. A field the record does not show (a write-only field) counts as changed.
 */
export function holdsValues(
  resource: ResourceDef,
  action: ActionDef,
  body: Record<string, unknown>,
  record: Record<string, unknown>,
): boolean {
  const properties = new Map(bodyProperties(resource, action).map((property) => [property.name, property]));
  return Object.entries(body).every(([name, value]) => {
    const discriminator = resource.fields.find((field) => field.name === name)?.discriminator;
    return sameValue(value, record[name], properties.get(name), discriminator);
  });
}

/**
 * The query of the record read before a write: with the record's custom fields when the body
 * writes some, so they can be merged and compared (Keap shows them only when asked).
 */
export function recordQuery(
  resource: ResourceDef,
  query: Record<string, string> | undefined,
  body: Record<string, unknown>,
): Record<string, string> | undefined {
  if (!resource.customFields || body.custom_fields === undefined) return query;
  const asked = (query?.optional_properties ?? '').split(',').filter(Boolean);
  return { ...query, optional_properties: [...new Set([...asked, 'custom_fields'])].join(',') };
}
