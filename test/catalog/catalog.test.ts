import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';
import {
  actionsOfKind,
  catalog,
  defaultReadAction,
  findAction,
  findResource,
  incrementalModeOf,
  readKeyOf,
  singularName,
  suggestResource,
} from '../../src/catalog/index.js';
import type { HttpMethod } from '../../src/catalog/types.js';

/** The seed's resources in its order, each with its actions (title -> HTTP method). */
const seed: [string, Record<string, HttpMethod>][] = [
  ['account-profile', { Read: 'GET', Update: 'PUT' }],
  ['affiliates', { Read: 'GET', 'Read single': 'GET', Create: 'POST' }],
  ['affiliate-commissions', { Read: 'GET' }],
  ['affiliate-programs', { Read: 'GET' }],
  ['affiliate-redirect-links', { 'Read Redirects': 'GET' }],
  ['appointments', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Update: 'PATCH', Delete: 'DELETE' }],
  ['campaigns', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Delete: 'DELETE' }],
  ['companies', { Read: 'GET', 'Read single': 'GET', 'Read tag': 'GET', Create: 'POST', Update: 'PATCH' }],
  ['contacts', { Read: 'GET', 'Read single': 'GET', 'Read tag': 'GET', Create: 'POST', Update: 'PATCH', Delete: 'DELETE' }],
  ['orders', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Delete: 'DELETE' }],
  ['order-items', { Read: 'GET', Create: 'POST', Delete: 'DELETE' }],
  ['order-payments', { Read: 'GET', Create: 'POST' }],
  ['subscriptions', { Read: 'GET', Create: 'POST' }],
  ['transactions', { Read: 'GET', 'Read single': 'GET', 'Read order': 'GET' }],
  // The seed's Update (PUT /emails/{id}) is not in the spec: omitted, with a deviation.
  ['emails', { Read: 'GET', 'Read single': 'GET', 'Read contact': 'GET', Create: 'POST', Delete: 'DELETE' }],
  ['files', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Update: 'PUT', Delete: 'DELETE' }],
  ['countries', { Read: 'GET' }],
  ['merchants', { Read: 'GET' }],
  ['notes', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Update: 'PATCH', Delete: 'DELETE' }],
  ['opportunities', { Read: 'GET', 'Read single': 'GET', 'Read Stage Pipeline': 'GET', Create: 'POST', Update: 'PATCH' }],
  ['opportunity-stage-pipelines', { Read: 'GET' }],
  [
    'products',
    {
      Read: 'GET',
      'Read single': 'GET',
      'Read Product Subscription': 'GET',
      'Read Synced Products': 'GET',
      Create: 'POST',
      Update: 'PATCH',
      Delete: 'DELETE',
    },
  ],
  ['product-subscriptions', { Read: 'GET', Create: 'POST', Delete: 'DELETE' }],
  ['hooks', { Read: 'GET', 'Read single': 'GET', Create: 'POST', Update: 'PUT', Delete: 'DELETE' }],
  ['application-settings', { Read: 'GET' }],
  ['tags', { Read: 'GET', 'Read single': 'GET', 'Read Tagged Contacts': 'GET', Create: 'POST' }],
  ['tasks', { Read: 'GET', 'Read single': 'GET', 'Read search': 'GET', Create: 'POST', Update: 'PATCH', Delete: 'DELETE' }],
  ['users', { Read: 'GET', 'Read current': 'GET', Create: 'POST' }],
];

describe('catalog', () => {
  it('has the 28 seed resources in the seed order', () => {
    expect(catalog.map((r) => r.name)).toEqual(seed.map(([name]) => name));
  });

  it.each(seed)('%s has every seed action with its method', (name, actions) => {
    const resource = findResource(name);
    const byTitle = Object.fromEntries(resource.actions.map((a) => [a.title, a.method]));
    expect(byTitle).toMatchObject(actions);
  });

  it('gives contacts an upsert on PUT /contacts with the spec duplicate options', () => {
    const contacts = findResource('contacts');
    expect(findAction(contacts, 'upsert')).toMatchObject({ kind: 'upsert', method: 'PUT', path: '/contacts' });
    expect(contacts.duplicateOptions).toEqual(['Email', 'EmailAndName']);
  });

  it('puts the emails Update deviation on record', () => {
    const emails = findResource('emails');
    expect(actionsOfKind(emails, 'update')).toEqual([]);
    expect(emails.deviations?.some((d) => d.what.includes('Update omitted'))).toBe(true);
  });

  it.each(catalog.map((r) => [r.name, r] as const))('%s is consistent', (_name, resource) => {
    const fieldNames = resource.fields.map((f) => f.name);
    expect(new Set(fieldNames).size, 'field names are unique').toBe(fieldNames.length);
    expect(new Set(resource.actions.map((a) => a.id)).size, 'action ids are unique').toBe(resource.actions.length);
    for (const key of resource.keyFields) expect(resource.fields.find((f) => f.name === key)?.key, `key field ${key}`).toBe(true);
    for (const field of resource.fields) expect(field.readOnly && field.writeOnly, `${field.name} read-only and write-only`).toBeFalsy();
    expect(defaultReadAction(resource), 'has a read').toBeDefined();
    // A read by a parent must not take the same param name as read-single's id.
    for (const action of actionsOfKind(resource, 'read')) {
      expect(
        (action.params ?? []).map((p) => p.name),
        `${action.id} params`,
      ).not.toContain('id');
    }
    const dateFields = resource.actions.flatMap((a) => (a.dateFilter ? [a.dateFilter.field] : []));
    if (resource.updatedField) expect(dateFields).toContain(resource.updatedField);
    else expect(dateFields).toEqual([]);
    for (const field of resource.fields) {
      if (field.discriminator) expect(field.discriminatorValues?.length, field.name).toBeGreaterThan(0);
    }
  });

  it('maps the tag reads to flat contact records as the seed does', () => {
    expect(findAction(findResource('contacts'), 'read-by-tag')).toMatchObject({
      path: '/tags/{tag_id}/contacts',
      params: [{ name: 'tag_id' }],
      recordMap: {
        id: 'contact.id',
        email: 'contact.email',
        given_name: 'contact.first_name',
        family_name: 'contact.last_name',
        date_applied: 'date_applied',
      },
    });
  });

  it('uses since/until on contacts last_updated and the sent-date pair on emails', () => {
    expect(defaultReadAction(findResource('contacts'))?.dateFilter).toEqual({
      since: 'since',
      until: 'until',
      field: 'last_updated',
      kind: 'updated',
    });
    expect(defaultReadAction(findResource('emails'))?.dateFilter).toEqual({
      since: 'since_sent_date',
      until: 'until_sent_date',
      field: 'sent_date',
      kind: 'event',
    });
    expect(findResource('notes').updatedField).toBeUndefined();
  });

  it('bookmarks only the update time Keap confirms; event times and guesses are tracked by content', () => {
    const modes = Object.fromEntries(catalog.map((r) => [r.name, incrementalModeOf(defaultReadAction(r)!)]));
    expect(
      Object.entries(modes)
        .filter(([, mode]) => mode === 'since')
        .map(([name]) => name),
    ).toEqual(['contacts']);
    expect(defaultReadAction(findResource('appointments'))?.dateFilter?.kind).toBe('event');
    expect(defaultReadAction(findResource('orders'))?.dateFilter?.kind).toBe('updated-unconfirmed');
    expect(defaultReadAction(findResource('tasks'))?.dateFilter?.kind).toBe('updated-unconfirmed');
    expect(incrementalModeOf(findAction(findResource('contacts'), 'read-by-tag')!)).toBe('hash');
  });

  it('identifies read records by fields that are in them', () => {
    expect(readKeyOf(findResource('contacts'))).toEqual(['id']);
    // Payments are keyed by their order for writes, but an order has several.
    expect(readKeyOf(findResource('order-payments'))).toEqual(['id']);
    // sequence_id is sent on writes only.
    expect(readKeyOf(findResource('campaigns'))).toEqual(['id']);
    expect(readKeyOf(findResource('affiliate-commissions'))).toEqual([]);
    for (const resource of catalog) {
      for (const name of readKeyOf(resource)) {
        expect(resource.fields.find((f) => f.name === name)?.writeOnly, `${resource.name}.${name}`).toBeFalsy();
      }
    }
  });
});

describe('findResource', () => {
  it.each([
    ['contacts', 'contacts'],
    ['contact', 'contacts'],
    ['Contact', 'contacts'],
    ['CONTACTS', 'contacts'],
    ['order_items', 'order-items'],
    ['Order Item', 'order-items'],
    ['stage-pipelines', 'opportunity-stage-pipelines'],
    ['E-Commerce Transaction', 'transactions'],
    ['account_profile', 'account-profile'],
    [' tags ', 'tags'],
  ])('finds %j as %s', (typed, name) => {
    expect(findResource(typed).name).toBe(name);
  });

  it('gives every name and alias to one resource only', () => {
    const seen = new Map<string, string>();
    for (const resource of catalog) {
      for (const name of new Set(
        [resource.name, ...resource.aliases, resource.title].map((n) => n.toLowerCase().replace(/[\s_]+/g, '-')),
      )) {
        expect(seen.get(name) ?? resource.name, `"${name}"`).toBe(resource.name);
        seen.set(name, resource.name);
      }
    }
  });

  it('rejects an unknown name with a usage error and a suggestion', () => {
    let error: unknown;
    try {
      findResource('contact-tag');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    expect((error as UsageError).message).toBe('unknown resource "contact-tag"');
    expect((error as UsageError).hint).toBe('did you mean "contacts"? Run "infusionsoft resources" for the list.');
  });

  it.each([
    ['contcts', 'contacts'],
    ['opportunites', 'opportunities'],
    ['oders', 'orders'],
    ['affiliate-comissions', 'affiliate-commissions'],
  ])('suggests %s -> %s', (typed, name) => {
    expect(suggestResource(typed)?.name).toBe(name);
  });

  it('suggests nothing for a name that is nowhere near', () => {
    expect(suggestResource('spreadsheet')).toBeUndefined();
    expect(() => findResource('spreadsheet')).toThrow(expect.objectContaining({ hint: 'Run "infusionsoft resources" for the list.' }));
  });
});

describe('what the catalog tells users to do', () => {
  it('recommends only --action ids that are read actions of the resource named (describe shows these texts)', () => {
    const texts = catalog.flatMap((resource) => [
      { resource, text: resource.description },
      ...resource.actions.map((a) => ({ resource, text: a.note ?? '' })),
      ...(resource.deviations ?? []).map((d) => ({ resource, text: `${d.what} ${d.why}` })),
    ]);
    const mentions = texts.flatMap(({ resource, text }) =>
      // `contacts --action read-by-tag` names the resource; `prefer --action read-by-order` means this one.
      [...text.matchAll(/(?:([a-z-]+) )?--action ([a-z-]+)/g)].map((m) => ({
        resource: catalog.find((r) => r.name === m[1]) ?? resource,
        id: m[2]!,
      })),
    );
    expect(mentions.length).toBeGreaterThan(0);
    const broken = mentions.filter(({ resource, id }) => !['read', 'read-single'].includes(findAction(resource, id)?.kind ?? ''));
    expect(broken.map(({ resource, id }) => `${resource.name} --action ${id}`)).toEqual([]);
  });

  it('names every read action by an id unique within its resource, and recordsOf a resource that exists', () => {
    for (const resource of catalog) {
      const ids = resource.actions.map((a) => a.id);
      expect(new Set(ids).size, resource.name).toBe(ids.length);
      for (const action of resource.actions) if (action.recordsOf) expect(findResource(action.recordsOf).name).toBe(action.recordsOf);
    }
  });

  it('calls one record by a singular name that is an alias of the resource', () => {
    expect(singularName(findResource('contacts'))).toBe('contact');
    expect(singularName(findResource('countries'))).toBe('country');
    for (const resource of catalog) {
      const singular = singularName(resource);
      if (singular !== resource.name) expect(resource.aliases, resource.name).toContain(singular);
    }
  });
});
