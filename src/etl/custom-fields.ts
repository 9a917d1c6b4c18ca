/**
 * Custom ("external") fields: Keap returns them on a record as `custom_fields: [{id, content}]`
 * and names them only in the resource's `/model` endpoint. Exports resolve the ids to the labels a
 * user sees in Keap (`custom: {Label: content}`, CSV columns `custom.<Label>`); imports go back.
 *
 * Duplicate labels: Keap allows two fields with the same label, but a column name must be unique.
 * Among fields sharing a label, the one with the lowest id keeps the plain label and the others get
 * `Label (2)`, `Label (3)`, ... by ascending id (skipping any name already taken), so the names do
 * not depend on the order `/model` happens to list the fields in.
 */
import { UsageError } from '../errors.js';

export interface CustomFieldInfo {
  id: number;
  /** The unique name used in `custom.<label>` columns and the `custom` object. */
  label: string;
  /** The label as Keap returned it (differs from `label` only for disambiguated duplicates). */
  keapLabel: string;
  /** Keap's `field_type` (`Text`, `WholeNumber`, `YesNo`, ...), when given. */
  fieldType?: string;
  /** Keap's internal `field_name` (used by some filters), when given. */
  fieldName?: string;
  /** The labels of the values a Dropdown, Radio or ListBox field allows, when `/model` lists them. */
  options?: string[];
}

export interface CustomFieldModel {
  /** In `/model` order. */
  fields: CustomFieldInfo[];
  /** `fields[i].label`, in `/model` order: the order of the `custom.*` CSV columns. */
  labels: string[];
  idToLabel: Map<number, string>;
  labelToId: Map<string, number>;
  /** How CSV cells of each label are typed on import: numeric Keap field types read as numbers. */
  labelTypes: Map<string, 'string' | 'number'>;
}

const NUMERIC_FIELD_TYPES = new Set(['WholeNumber', 'DecimalNumber', 'Currency', 'Percent']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the model from a `/model` response body. Lenient: a body without `custom_fields` is an
 * account without custom fields, and entries without a numeric id are ignored (nothing could
 * match them on a record).
 */
export function customFieldModel(body: unknown): CustomFieldModel {
  const raw = isObject(body) && Array.isArray(body.custom_fields) ? body.custom_fields : [];
  const entries: Array<{ id: number; keapLabel: string; fieldType?: string; fieldName?: string; options?: string[] }> = [];
  for (const item of raw) {
    if (!isObject(item)) continue;
    const id = typeof item.id === 'number' ? item.id : typeof item.id === 'string' ? Number(item.id) : NaN;
    if (!Number.isSafeInteger(id)) continue;
    const keapLabel = typeof item.label === 'string' && item.label.trim() !== '' ? item.label : `Field ${id}`;
    const options = Array.isArray(item.options)
      ? item.options.flatMap((option) => (isObject(option) && typeof option.label === 'string' ? [option.label] : []))
      : [];
    entries.push({
      id,
      keapLabel,
      ...(typeof item.field_type === 'string' ? { fieldType: item.field_type } : {}),
      ...(typeof item.field_name === 'string' ? { fieldName: item.field_name } : {}),
      ...(options.length ? { options } : {}),
    });
  }

  // Plain labels first go to the lowest id of each label; then the rest by ascending id.
  const taken = new Set<string>();
  const labelOf = new Map<number, string>();
  const byId = [...entries].sort((a, b) => a.id - b.id);
  for (const entry of byId) {
    if (!taken.has(entry.keapLabel)) {
      taken.add(entry.keapLabel);
      labelOf.set(entry.id, entry.keapLabel);
    }
  }
  for (const entry of byId) {
    if (labelOf.has(entry.id)) continue;
    let n = 2;
    while (taken.has(`${entry.keapLabel} (${n})`)) n++;
    const label = `${entry.keapLabel} (${n})`;
    taken.add(label);
    labelOf.set(entry.id, label);
  }

  const fields: CustomFieldInfo[] = [];
  const idToLabel = new Map<number, string>();
  const labelToId = new Map<string, number>();
  const labelTypes = new Map<string, 'string' | 'number'>();
  for (const entry of entries) {
    if (idToLabel.has(entry.id)) continue; // the same id listed twice
    const label = labelOf.get(entry.id) ?? entry.keapLabel;
    fields.push({ ...entry, label });
    idToLabel.set(entry.id, label);
    labelToId.set(label, entry.id);
    labelTypes.set(label, entry.fieldType && NUMERIC_FIELD_TYPES.has(entry.fieldType) ? 'number' : 'string');
  }
  return { fields, labels: fields.map((f) => f.label), idToLabel, labelToId, labelTypes };
}

/**
 * Returns a copy of `record` with `custom: {label: content}` added: every label of the model, null
 * when the record has no value for it. `custom_fields` is kept as the API returned it, so ndjson
 * stays lossless. Values for ids the model does not know (a field created during the run) stay
 * only in `custom_fields`.
 */
export function withCustomFields<T extends Record<string, unknown>>(
  record: T,
  model: CustomFieldModel,
): T & { custom: Record<string, unknown> } {
  return addCustomFields({ ...record }, model);
}

/**
 * Adds `custom` to `record` itself, as withCustomFields does to a copy: for the export's hot path,
 * where each record is fresh from JSON.parse and copying it would only feed the garbage collector.
 */
export function addCustomFields<T extends Record<string, unknown>>(
  record: T,
  model: CustomFieldModel,
): T & { custom: Record<string, unknown> } {
  const custom: Record<string, unknown> = {};
  for (const label of model.labels) custom[label] = null;
  const values = record.custom_fields;
  if (Array.isArray(values)) {
    for (const value of values) {
      if (!isObject(value)) continue;
      const id = typeof value.id === 'number' ? value.id : Number(value.id);
      const label = model.idToLabel.get(id);
      if (label !== undefined) custom[label] = value.content ?? null;
    }
  }
  return Object.assign(record, { custom });
}

/**
 * The reverse, for writes: `{label: value}` -> `[{id, content}]` as Keap accepts it. Labels the
 * model does not know are a UsageError naming them (nothing has been sent yet).
 */
export function customToFields(custom: Record<string, unknown>, model: CustomFieldModel): Array<{ id: number; content: unknown }> {
  const result: Array<{ id: number; content: unknown }> = [];
  const unknown: string[] = [];
  for (const [label, content] of Object.entries(custom)) {
    const id = model.labelToId.get(label);
    if (id === undefined) unknown.push(label);
    else result.push({ id, content });
  }
  if (unknown.length > 0) {
    throw new UsageError(`unknown custom field${unknown.length > 1 ? 's' : ''}: ${unknown.map((l) => `custom.${l}`).join(', ')}`, {
      hint: model.labels.length
        ? `this account's custom fields: ${model.labels.map((l) => `custom.${l}`).join(', ')}`
        : 'this account has no custom fields for this resource',
    });
  }
  return result;
}
