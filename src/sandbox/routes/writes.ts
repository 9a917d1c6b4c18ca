/**
 * How a write changes a stored record's arrays and custom fields, as the catalog and Keap say:
 * an array the catalog marks `replaces` (Keap's v2 documentation: "Any item not listed here will be
 * removed") takes the body's list as it is, so a write naming one custom field drops the others;
 * one marked `merges` keeps the stored elements the body does not name. Custom field contents must
 * fit their field's type (a modelled rule: Keap types `content` only as an object).
 */
import { catalog } from '../../catalog/index.js';
import type { CustomFieldMeta, Rec } from '../generate.js';
import { HttpError } from './http.js';

function isRec(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body's arrays as the stored record will hold them: replaced, or merged by key where the catalog says Keap merges. */
export function arraysAsKeapWrites(resourceName: string, existing: Rec, changes: Rec): Rec {
  const resource = catalog.find((candidate) => candidate.name === resourceName);
  const out: Rec = { ...changes };
  for (const write of resource?.arrayWrites ?? []) {
    const given = changes[write.name];
    if (write.keap !== 'merges' || !Array.isArray(given)) continue;
    const stored = Array.isArray(existing[write.name]) ? (existing[write.name] as unknown[]) : [];
    const named = new Set(given.filter(isRec).map((element) => element[write.key]));
    out[write.name] = [...stored.filter((element) => !(isRec(element) && named.has(element[write.key]))), ...given];
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Why a content does not fit its field, or undefined. Empty (null, and '' for text) always fits. */
function misfit(meta: CustomFieldMeta, content: unknown): string | undefined {
  if (content === null) return undefined;
  const options = meta.options.map((option) => option.label);
  switch (meta.field_type) {
    case 'WholeNumber':
    case 'User':
      return Number.isSafeInteger(content) ? undefined : 'a whole number';
    case 'Percent':
    case 'Currency':
    case 'DecimalNumber':
      return typeof content === 'number' && Number.isFinite(content) ? undefined : 'a number';
    case 'YesNo':
      return typeof content === 'boolean' ? undefined : 'true or false';
    case 'Date':
      return content === '' || (typeof content === 'string' && DATE.test(content)) ? undefined : 'a date (yyyy-MM-dd)';
    case 'DateTime':
      return content === '' || (typeof content === 'string' && DATE_TIME.test(content)) ? undefined : 'a date-time';
    case 'Dropdown':
    case 'Radio':
      return content === '' || (typeof content === 'string' && options.includes(content)) ? undefined : `one of ${options.join(', ')}`;
    case 'ListBox':
      return typeof content === 'string' && content.split(',').every((choice) => choice === '' || options.includes(choice))
        ? undefined
        : `a list of ${options.join(', ')}`;
    default:
      return typeof content === 'string' ? undefined : 'text';
  }
}

/** Refuses custom field values with an id the account does not have, or a content that does not fit its type. */
export function validateCustomValues(fields: readonly CustomFieldMeta[], values: unknown): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) throw new HttpError(400, 'Input could not be converted to a valid request');
  for (const entry of values) {
    const id = isRec(entry) ? entry['id'] : undefined;
    const meta = fields.find((field) => field.id === id);
    if (!meta || !isRec(entry)) throw new HttpError(400, `Invalid custom field id: ${String(id)}`);
    const wanted = misfit(meta, entry['content']);
    if (wanted) throw new HttpError(400, `Invalid value for custom field ${meta.label} (${meta.field_type}): expected ${wanted}`);
  }
}
