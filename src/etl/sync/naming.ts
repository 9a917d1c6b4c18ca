/**
 * Names in the database: identifiers of lower-case `[a-z0-9_]`, at most 63 bytes (PostgreSQL's
 * limit, so SQLite and PostgreSQL tables look alike), and the custom-field columns named by label.
 */

/** PostgreSQL truncates identifiers to 63 bytes; names are made to fit rather than be cut there. */
export const MAX_IDENTIFIER = 63;

/**
 * `Shoe size (EU)` -> `shoe_size_eu`; a name that would start with a digit gets `_` first; a name
 * with nothing left (`会員番号`) is `fallback`.
 */
export function identifier(text: string, max = MAX_IDENTIFIER, fallback = 'field'): string {
  // Asked for every property of every child item: the same few names, so remembered (the usual
  // limits by the text alone: building a key for each call cost more than the look-up).
  if (max === MAX_IDENTIFIER && fallback === 'field') {
    const plain = plainNames.get(text);
    if (plain !== undefined) return plain;
  }
  const key = `${max}\u0000${fallback}\u0000${text}`;
  const known = named.get(key);
  if (known !== undefined) return known;
  const name = makeIdentifier(text, max, fallback);
  if (named.size < 10_000) named.set(key, name);
  if (max === MAX_IDENTIFIER && fallback === 'field' && plainNames.size < 10_000) plainNames.set(text, name);
  return name;
}

const named = new Map<string, string>();
const plainNames = new Map<string, string>();

function makeIdentifier(text: string, max: number, fallback: string): string {
  let name = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') name = fallback;
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return name.slice(0, max).replace(/_+$/, '') || fallback;
}

/** `name` with `suffix` appended, the name cut so that both fit. */
export function withSuffix(name: string, suffix: string): string {
  return `${name.slice(0, MAX_IDENTIFIER - suffix.length).replace(/_+$/, '')}${suffix}`;
}

/** A resource's table: `order-items` -> `order_items`. */
export const tableName = (resource: string) => identifier(resource);
/** A child table: the parent's table, two underscores, the array's field (`contacts__email_addresses`). */
export const childTableName = (parent: string, field: string) => withSuffix(parent, `__${identifier(field, 40)}`);
/** Where a value that does not fit its column goes, as dlt keeps it. */
export const variantColumn = (column: string) => withSuffix(column, '__v_text');

/** A custom field as `_infusionsoft_columns` records it. */
export interface CustomColumn {
  fieldId: number;
  column: string;
  label: string;
}

/**
 * The column of every custom field: the one recorded before (a renamed label keeps its column),
 * else the label as an identifier, with `_<field id>` when that collides with a built-in column,
 * another field's column or a column of the table already. New fields are named in ascending id
 * order so the names do not depend on the order `/model` lists them in.
 */
export function assignCustomColumns(
  fields: ReadonlyArray<{ id: number; label: string }>,
  recorded: ReadonlyMap<number, string>,
  taken: Iterable<string>,
): CustomColumn[] {
  const used = new Set(taken);
  for (const column of recorded.values()) used.add(column);
  const result: CustomColumn[] = [];
  const fresh = [...fields].sort((a, b) => a.id - b.id);
  for (const field of fresh) {
    const known = recorded.get(field.id);
    if (known !== undefined) {
      result.push({ fieldId: field.id, column: known, label: field.label });
      continue;
    }
    // A label with no letter or digit of a-z0-9 left (`会員番号`) is named by its id.
    let column = identifier(field.label, MAX_IDENTIFIER, `field_${field.id}`);
    if (used.has(column) || used.has(variantColumn(column))) column = withSuffix(column, `_${field.id}`);
    used.add(column);
    result.push({ fieldId: field.id, column, label: field.label });
  }
  return result;
}
