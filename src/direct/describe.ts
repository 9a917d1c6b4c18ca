/**
 * What `resources` and `describe` show: the catalog as plain data, plus the live custom fields of
 * the account when there is a session to ask.
 */
import type { KeapApi } from '../api/types.js';
import {
  bodyProperties,
  incrementalDescription,
  incrementalModeOf,
  pathFields,
  writeActions,
  type IncrementalMode,
} from '../catalog/index.js';
import type { ActionDef, BodyProperty, BodyRule, DateFilter, ResourceDef } from '../catalog/types.js';
import { customFieldModel } from '../etl/custom-fields.js';

export interface ActionSummary {
  id: string;
  kind: string;
  title: string;
  method: string;
  path: string;
  params: string[];
  deprecated: boolean;
  note?: string;
  /** Reads: the date window parameters and what their field is (update time, unconfirmed, event). */
  dateFilter?: DateFilter;
  /** Reads: how `export --state` finds new and changed records, and why, in one line. */
  incremental?: IncrementalMode;
  incrementalNote?: string;
}

export interface ResourceSummary {
  name: string;
  aliases: string[];
  title: string;
  description: string;
  actions: ActionSummary[];
}

export function summarizeAction(action: ActionDef): ActionSummary {
  return {
    id: action.id,
    kind: action.kind,
    title: action.title,
    method: action.method,
    path: action.path,
    params: (action.params ?? []).map((p) => p.name),
    deprecated: action.deprecated ?? false,
    ...(action.note ? { note: action.note } : {}),
    ...(action.dateFilter ? { dateFilter: action.dateFilter } : {}),
    ...(action.kind === 'read' || action.kind === 'read-single'
      ? { incremental: incrementalModeOf(action), incrementalNote: incrementalDescription(action) }
      : {}),
  };
}

export function summarizeResource(resource: ResourceDef): ResourceSummary {
  return {
    name: resource.name,
    aliases: resource.aliases,
    title: resource.title,
    description: resource.description,
    actions: resource.actions.map(summarizeAction),
  };
}

export interface LiveCustomField {
  id: number;
  label: string;
  column: string;
  fieldType?: string;
}

/** What a write action sends: the fields in its path, and its body's typed properties and rules. */
export interface WriteDescription {
  action: string;
  kind: string;
  /** Record fields that fill the path's placeholders, in order (`order_id`, `id`). */
  pathFields: string[];
  properties: BodyProperty[];
  /** Dot paths that must be present (`order_items.product_id`: in every item given). */
  required: string[];
  /** Rules the spec states only in prose, with its words. */
  rules: BodyRule[];
  /** Booleans never sent true (true would charge a card). */
  neverTrue: string[];
  /** Properties that are options of the call, not record data (`duplicate_option`). */
  options: string[];
}

export function describeWrite(resource: ResourceDef, action: ActionDef): WriteDescription {
  return {
    action: action.id,
    kind: action.kind,
    pathFields: pathFields(resource, action).map((f) => f.name),
    properties: bodyProperties(resource, action),
    required: action.body?.required ?? [],
    rules: action.body?.rules ?? [],
    neverTrue: action.body?.neverTrue ?? [],
    options: action.body?.options ?? [],
  };
}

export interface ResourceDescription extends ResourceSummary {
  keyFields: string[];
  fields: Array<{ name: string; type: string; key: boolean; readOnly: boolean; components?: string[] }>;
  gathered: Array<{ name: string; path: string; description: string }>;
  /** Create, update, upsert and delete actions, in catalog order. */
  writes: WriteDescription[];
  updatedField?: string;
  customFields?: {
    source: string;
    /** Present when the account was asked; absent when describing offline. */
    live?: LiveCustomField[];
  };
  deviations: Array<{ what: string; why: string }>;
}

export async function describeResource(resource: ResourceDef, api?: KeapApi): Promise<ResourceDescription> {
  const description: ResourceDescription = {
    ...summarizeResource(resource),
    keyFields: resource.keyFields,
    fields: resource.fields.map((f) => ({
      name: f.name,
      type: f.type,
      key: f.key ?? false,
      readOnly: f.readOnly ?? false,
      ...(f.components ? { components: f.components } : {}),
    })),
    gathered: (resource.gathered ?? []).map((g) => ({ name: g.name, path: g.path, description: g.description })),
    writes: writeActions(resource).map((a) => describeWrite(resource, a)),
    deviations: resource.deviations ?? [],
    ...(resource.updatedField ? { updatedField: resource.updatedField } : {}),
  };
  if (resource.customFields) {
    description.customFields = { source: resource.customFields.modelPath };
    if (api) {
      const response = await api.request('GET', resource.customFields.modelPath);
      const model = customFieldModel(response.body);
      description.customFields.live = model.fields.map((field) => ({
        id: field.id,
        label: field.label,
        column: `custom.${field.label}`,
        ...(field.fieldType ? { fieldType: field.fieldType } : {}),
      }));
    }
  }
  return description;
}
