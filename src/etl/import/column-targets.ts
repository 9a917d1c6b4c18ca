/**
 * Where one column of an import file goes (a body property, a path field, an item component, tags,
 * the group ...), or why it is left out: names (columns or --map targets) resolved against one
 * resource and action.
 */
import { bodyProperties, pathFields } from '../../catalog/index.js';
import type { ActionDef, BodyProperty, FieldDef, ResourceDef } from '../../catalog/types.js';
import { csvColumns } from '../columns.js';
import type { CustomFieldModel } from '../custom-fields.js';
import type { InputFormat } from './types.js';

/** Where one column goes. */
export type Target =
  | { kind: 'body'; column: string; name: string }
  | { kind: 'custom'; column: string; label: string }
  | { kind: 'custom-object'; column: string }
  | { kind: 'path'; column: string; name: string }
  | { kind: 'item'; column: string; component: string; index?: number }
  | { kind: 'tags'; column: string }
  | { kind: 'group'; column: string }
  | { kind: 'only-created'; column: string; which: 'id' | 'action' };

export type Resolution = Target | { kind: 'skip'; why: string } | { kind: 'unknown' };

export function isKeyed(field: FieldDef | undefined): boolean {
  return !!field && field.type === 'array' && !!field.discriminator && !!field.discriminatorValues?.length;
}

/** Resolves names (columns or --map targets) against one resource and action. */
export class Resolver {
  readonly properties: BodyProperty[];
  readonly propertyByName: Map<string, BodyProperty>;
  readonly pathNames: string[];
  readonly itemArray: BodyProperty | undefined;
  private readonly fields: Map<string, FieldDef>;

  constructor(
    readonly resource: ResourceDef,
    readonly action: ActionDef,
    readonly format: InputFormat,
    readonly model: CustomFieldModel | undefined,
  ) {
    this.properties = action.body ? bodyProperties(resource, action) : [];
    this.propertyByName = new Map(this.properties.map((p) => [p.name, p]));
    this.pathNames = pathFields(resource, action).map((f) => f.name);
    this.fields = new Map(resource.fields.map((f) => [f.name, f]));
    const rowItems = action.body?.rowItems;
    this.itemArray = rowItems ? this.propertyByName.get(rowItems) : undefined;
  }

  private takes(name: string): boolean {
    return this.propertyByName.has(name);
  }

  private notTaken(name: string): { kind: 'skip'; why: string } {
    const field = this.fields.get(name);
    if (field?.key && field.readOnly) return { kind: 'skip', why: `the record's key, which Keap assigns on ${this.action.id}` };
    if (field?.readOnly) return { kind: 'skip', why: 'read-only' };
    return { kind: 'skip', why: `${this.resource.name} ${this.action.id} does not take it` };
  }

  resolve(name: string, column: string): Resolution {
    if (name.startsWith('custom.')) return this.resolveCustom(name.slice('custom.'.length), column);
    if (name === 'custom' && this.format !== 'csv' && this.model && this.resource.customFields) {
      return this.takes('custom_fields') ? { kind: 'custom-object', column } : this.noCustomFields();
    }
    const parts = name.split('.');
    const head = parts[0] ?? name;
    if (parts.length === 1) return this.resolveTopLevel(name, column);
    const field = this.fields.get(head);
    const property = this.propertyByName.get(head);
    if (this.itemArray && head === this.itemArray.name && parts.length === 3 && /^\d+$/.test(parts[1] ?? '')) {
      const component = parts[2] ?? '';
      return this.itemArray.components?.some((c) => c.name === component)
        ? { kind: 'item', column, component, index: Number(parts[1]) }
        : { kind: 'unknown' };
    }
    if (field && isKeyed(field)) {
      const known = parts.length === 3 && field.discriminatorValues?.includes(parts[1] ?? '') && field.components?.includes(parts[2] ?? '');
      if (!known || parts[2] === field.discriminator) return { kind: 'unknown' };
      return property ? { kind: 'body', column, name } : this.notTaken(head);
    }
    if (parts.length !== 2) return { kind: 'unknown' };
    const component = parts[1] ?? '';
    if (property?.type === 'object') {
      if (!property.components || property.components.some((c) => c.name === component)) return { kind: 'body', column, name };
      if (field?.components?.includes(component)) {
        const taken = property.components.map((c) => `${head}.${c.name}`).join(', ');
        return { kind: 'skip', why: `${this.resource.name} ${this.action.id} takes only ${taken}` };
      }
      return { kind: 'unknown' };
    }
    if (field?.type === 'object' && (!field.components || field.components.includes(component))) return this.notTaken(head);
    return { kind: 'unknown' };
  }

  private resolveTopLevel(name: string, column: string): Resolution {
    if (this.pathNames.includes(name)) return { kind: 'path', column, name };
    if (this.takes(name)) return { kind: 'body', column, name };
    if (name === 'tags' && this.resource.gathered?.some((g) => g.name === 'tags')) {
      return this.action.kind === 'delete' ? { kind: 'skip', why: 'tags are not applied on delete' } : { kind: 'tags', column };
    }
    if (this.itemArray?.components?.some((c) => c.name === name)) return { kind: 'item', column, component: name };
    if (this.fields.has(name)) return this.notTaken(name);
    if (this.resource.gathered?.some((g) => g.name === name)) {
      return { kind: 'skip', why: 'a gathered field (read by a separate request), which import does not write' };
    }
    return { kind: 'unknown' };
  }

  private resolveCustom(label: string, column: string): Resolution {
    if (!this.model?.labelToId.has(label)) return { kind: 'unknown' };
    return this.takes('custom_fields') ? { kind: 'custom', column, label } : this.noCustomFields();
  }

  private noCustomFields(): { kind: 'skip'; why: string } {
    return { kind: 'skip', why: `${this.resource.name} ${this.action.id} does not take custom fields` };
  }

  /** Every name a column could have, for "did you mean" hints. */
  candidates(): string[] {
    const names = new Set<string>(csvColumns(this.resource, { customLabels: this.model?.labels ?? [] }));
    for (const property of this.properties) {
      names.add(property.name);
      if (property.type === 'object') for (const c of property.components ?? []) names.add(`${property.name}.${c.name}`);
    }
    for (const name of this.pathNames) names.add(name);
    for (const c of this.itemArray?.components ?? []) names.add(c.name);
    return [...names];
  }
}
