/**
 * Write bodies as an import engine sees them: one resolved, typed property list per action, and
 * the catalog's own consistency (no fact kept in two places). The spec side is conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bodyProperties, catalog, findAction, findResource, pathFields } from '../../src/catalog/index.js';
import type { ActionDef, BodyProperty, ResourceDef } from '../../src/catalog/types.js';

const writes = catalog.flatMap((resource) =>
  resource.actions
    .filter((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'upsert')
    .map((action) => [`${resource.name} ${action.id}`, resource, action] as const),
);

const property = (resource: string, action: string, dotPath: string): BodyProperty | undefined => {
  const r = findResource(resource);
  let properties: BodyProperty[] | undefined = bodyProperties(r, findAction(r, action)!);
  let found: BodyProperty | undefined;
  for (const part of dotPath.split('.')) {
    found = properties?.find((p) => p.name === part);
    properties = found?.components;
  }
  return found;
};

/** Does a dot path name a property or component of the body? */
const takes = (properties: readonly BodyProperty[], dotPath: string): boolean => {
  const [head, ...rest] = dotPath.split('.');
  const found = properties.find((p) => p.name === head);
  return Boolean(found) && (rest.length === 0 || takes(found!.components ?? [], rest.join('.')));
};

describe('bodyProperties', () => {
  it("takes the record's writable fields, leaving out read-only ones and those that fill the path", () => {
    const names = bodyProperties(findResource('order-items'), findAction(findResource('order-items'), 'create')!).map((p) => p.name);
    expect(names).toEqual(['description', 'price', 'quantity', 'product_id', 'item_type']);
  });

  it('types components, with the discriminator limited to its values', () => {
    expect(property('contacts', 'create', 'email_addresses')).toEqual({
      name: 'email_addresses',
      type: 'array',
      components: [
        { name: 'email', type: 'string' },
        { name: 'field', type: 'string', enum: ['EMAIL1', 'EMAIL2', 'EMAIL3'] },
      ],
    });
    expect(property('contacts', 'create', 'addresses.field')?.enum).toEqual(['BILLING', 'SHIPPING', 'OTHER']);
  });

  it('replaces a field the body types differently, and adds body-only properties', () => {
    expect(findResource('order-items').fields.find((f) => f.name === 'price')?.type).toBe('number');
    expect(property('order-items', 'create', 'price')?.type).toBe('string');
    expect(property('orders', 'create', 'order_items.quantity')?.type).toBe('integer');
    expect(property('orders', 'create', 'order_items.item_type')?.enum).toContain('PRODUCT');
    expect(property('orders', 'create', 'order_type')?.enum).toEqual(['Offline', 'Online']);
    expect(property('contacts', 'create', 'origin.ip_address')?.type).toBe('string');
    expect(property('subscriptions', 'create', 'first_bill_date')?.type).toBe('date');
  });

  it('refuses a body that names a field the resource does not have', () => {
    const contacts = findResource('contacts');
    const action: ActionDef = { ...findAction(contacts, 'create')!, body: { fields: ['given_name', 'nickname'] } };
    expect(() => bodyProperties(contacts, action)).toThrow(/nickname/);
  });
});

describe('pathFields', () => {
  it('names the record fields that fill a write path, parent first', () => {
    const items = findResource('order-items');
    expect(pathFields(items, findAction(items, 'delete')!).map((f) => [f.name, f.type])).toEqual([
      ['order_id', 'integer'],
      ['id', 'integer'],
    ]);
    const campaigns = findResource('campaigns');
    expect(pathFields(campaigns, findAction(campaigns, 'create')!).map((f) => f.name)).toEqual(['id', 'sequence_id', 'contact_id']);
  });
});

describe('write facts the issue names', () => {
  it('contacts need an email address or a phone number, said only in prose', () => {
    const create = findAction(findResource('contacts'), 'create')!;
    expect(create.body?.rules).toContainEqual(expect.objectContaining({ kind: 'one-of', fields: ['email_addresses', 'phone_numbers'] }));
    expect(create.body?.required ?? []).not.toContain('email_addresses');
  });

  it('orders need contact_id, order_date, order_items, order_title and order_type', () => {
    const required = findAction(findResource('orders'), 'create')!.body?.required ?? [];
    expect(required.filter((name) => !name.includes('.'))).toEqual([
      'contact_id',
      'order_date',
      'order_items',
      'order_title',
      'order_type',
    ]);
  });

  it('never sends true for the flags that charge a card', () => {
    expect(findAction(findResource('order-payments'), 'create')!.body?.neverTrue).toEqual(['charge_now']);
    expect(findAction(findResource('subscriptions'), 'create')!.body?.neverTrue).toEqual(['auto_charge']);
  });
});

describe.each(writes)('%s body', (_name, resource: ResourceDef, action: ActionDef) => {
  it('exists, and names only properties it takes', () => {
    expect(action.body).toBeDefined();
    const properties = bodyProperties(resource, action);
    const named = [
      ...(action.body?.required ?? []),
      ...(action.body?.neverTrue ?? []),
      ...(action.body?.options ?? []),
      ...(action.body?.rules ?? []).flatMap((rule) => (rule.kind === 'requires' ? [rule.field, rule.when] : rule.fields)),
    ];
    expect(named.filter((name) => !takes(properties, name))).toEqual([]);
  });

  it('keeps read-only a fact of the field alone: it never takes or retypes a read-only field', () => {
    const readOnly = new Set(resource.fields.filter((f) => f.readOnly).map((f) => f.name));
    const fields = action.body?.fields === 'writable' ? [] : (action.body?.fields ?? []);
    const overridden = (action.body?.properties ?? []).map((p) => p.name);
    expect([...fields, ...overridden].filter((name) => readOnly.has(name))).toEqual([]);
  });

  it('repeats no record field as it is', () => {
    const fields = new Map(resource.fields.map((f) => [f.name, f]));
    const repeated = (action.body?.properties ?? []).filter((p) => {
      const field = fields.get(p.name);
      return field && !p.enum && !p.components && !field.components && p.type === field.type && p.items === field.items;
    });
    expect(repeated.map((p) => p.name)).toEqual([]);
  });
});
