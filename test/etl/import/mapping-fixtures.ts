/** Plans and maps for the column-plan and row-mapping tests (mapping.test.ts, map-row.test.ts). */
import { findAction, findResource } from '../../../src/catalog/index.js';
import type { ResourceDef } from '../../../src/catalog/types.js';
import { customFieldModel } from '../../../src/etl/custom-fields.js';
import { mapRow } from '../../../src/etl/import/map-row.js';
import { type MappingOptions, planColumns } from '../../../src/etl/import/mapping.js';
import type { InputFormat } from '../../../src/etl/import/types.js';
import { customFieldsByResource } from '../../../src/sandbox/generate.js';

export const contacts = findResource('contacts');
export const orders = findResource('orders');
/** What the sandbox's /contacts/model returns. */
export const model = customFieldModel({ custom_fields: customFieldsByResource.contacts });

export function plan(
  resource: ResourceDef,
  actionId: string,
  columns: string[],
  options: MappingOptions = {},
  format: InputFormat = 'csv',
) {
  const action = findAction(resource, actionId);
  if (!action) throw new Error(`no action ${actionId}`);
  return planColumns(resource, action, columns, format, options);
}

/** Maps one CSV row given as {column: cell}; the header is its keys. */
export function mapCsv(resource: ResourceDef, actionId: string, values: Record<string, string | null>, options: MappingOptions = {}) {
  const columnPlan = plan(resource, actionId, Object.keys(values), options);
  return { plan: columnPlan, mapped: mapRow(columnPlan, { row: 2, values }) };
}
