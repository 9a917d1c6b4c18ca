/** How export flags become a request plan: every refusal happens here, before any output exists. */
import { describe, expect, it } from 'vitest';
import type { ResourceDef } from '../../../src/catalog/types.js';
import { UsageError } from '../../../src/errors.js';
import { planExport, selectReadAction } from '../../../src/etl/export/plan.js';

const people: ResourceDef = {
  name: 'people',
  aliases: [],
  title: 'Person',
  description: 'test resource',
  keyFields: ['id'],
  fields: [
    { name: 'id', type: 'integer', key: true },
    { name: 'email', type: 'string' },
    { name: 'last_updated', type: 'datetime' },
  ],
  customFields: { modelPath: '/people/model', via: 'list' },
  updatedField: 'last_updated',
  gathered: [{ name: 'tags', path: '/people/{id}/tags', shape: { kind: 'page', key: 'tags' }, operationId: 'x', description: 'tags' }],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/people',
      operationId: 'list',
      shape: { kind: 'page', key: 'people' },
      filters: ['email'],
      dateFilter: { since: 'since', until: 'until', field: 'last_updated', kind: 'updated' },
    },
    {
      id: 'read-single',
      kind: 'read-single',
      title: 'Read single',
      method: 'GET',
      path: '/people/{id}',
      operationId: 'get',
      shape: { kind: 'object' },
      params: [{ name: 'id', description: 'id' }],
    },
    {
      id: 'read-by-tag',
      kind: 'read',
      title: 'Read tag',
      method: 'GET',
      path: '/tags/{tag_id}/people',
      operationId: 'bytag',
      shape: { kind: 'page', key: 'people' },
      params: [{ name: 'tag_id', description: 'tag' }],
      recordMap: { id: 'person.id' },
    },
    { id: 'create', kind: 'create', title: 'Create', method: 'POST', path: '/people', operationId: 'create' },
  ],
};

const notes: ResourceDef = {
  ...people,
  name: 'notes',
  customFields: undefined,
  actions: [{ ...people.actions[0]!, dateFilter: undefined }],
} as ResourceDef;

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
};

describe('selectReadAction', () => {
  it('picks the action whose --param names match exactly', () => {
    expect(selectReadAction(people, []).id).toBe('read');
    expect(selectReadAction(people, [['id', '5']]).id).toBe('read-single');
    expect(selectReadAction(people, [['tag_id', '5']]).id).toBe('read-by-tag');
  });

  it('lists the ways to read when no action matches', () => {
    const error = usage(() => selectReadAction(people, [['order_id', '1']]));
    expect(error.message).toMatch(/--param order_id/);
    expect(error.hint).toMatch(/--param tag_id=\.\.\./);
    expect(error.hint).toMatch(/\(no --param\)/);
  });
});

describe('planExport', () => {
  it('fills the path, asks for custom fields on the list, and applies the date window', () => {
    const plan = planExport({ resource: people, format: 'csv', since: '2026-01-01T00:00:00.000Z', where: [['email', 'a@b.c']] });
    expect(plan.path).toBe('/people');
    expect(plan.query).toEqual({ email: 'a@b.c', since: '2026-01-01T00:00:00.000Z', optional_properties: 'custom_fields' });
    expect(plan.customFields).toBe('list');
  });

  it('escapes path parameters and leaves custom fields off wrapped records', () => {
    const plan = planExport({ resource: people, format: 'csv', params: [['tag_id', 'a/b']] });
    expect(plan.path).toBe('/tags/a%2Fb/people');
    expect(plan.customFields).toBe('none');
    expect(plan.query.optional_properties).toBeUndefined();
  });

  it('refuses filters the endpoint does not have, naming the ones it has', () => {
    const error = usage(() => planExport({ resource: people, format: 'csv', where: [['colour', 'blue']] }));
    expect(error.message).toMatch(/--where colour/);
    expect(error.hint).toMatch(/email/);
    expect(usage(() => planExport({ resource: people, format: 'csv', where: [['since', 'x']] })).message).toMatch(/--since/);
  });

  it('uses the bookmark unless a later --since or --full-refresh says otherwise', () => {
    const saved = { bookmarks: { people: { last_updated: '2026-02-01T00:00:00.000Z' } } };
    expect(planExport({ resource: people, format: 'ndjson', stateFile: 's.json' }, saved).query.since).toBe('2026-02-01T00:00:00.000Z');
    expect(planExport({ resource: people, format: 'ndjson', stateFile: 's.json', fullRefresh: true }, saved).query.since).toBeUndefined();
    expect(
      planExport({ resource: people, format: 'ndjson', stateFile: 's.json', since: '2026-03-01T00:00:00.000Z' }, saved).query.since,
    ).toBe('2026-03-01T00:00:00.000Z');
    // The same --since on every cron run: the first run starts there, later ones at the bookmark.
    expect(
      planExport({ resource: people, format: 'ndjson', stateFile: 's.json', since: '2026-01-01T00:00:00.000Z' }, saved).query.since,
    ).toBe('2026-02-01T00:00:00.000Z');
    expect(planExport({ resource: people, format: 'ndjson', stateFile: 's.json', since: '2026-01-01T00:00:00.000Z' }).query.since).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it("keeps a filtered export's bookmark apart from the plain one", () => {
    const saved = { bookmarks: { people: { last_updated: '2026-02-01T00:00:00.000Z' } } };
    const filtered = planExport({ resource: people, format: 'ndjson', stateFile: 's.json', where: [['email', 'a@b.c']] }, saved);
    expect(filtered.bookmarkKey).toBe('people?email=a@b.c');
    expect(filtered.query.since).toBeUndefined();
    expect(planExport({ resource: people, format: 'ndjson', params: [['tag_id', '7']] }).bookmarkKey).toBe('people:read-by-tag?tag_id=7');
    expect(planExport({ resource: people, format: 'ndjson' }).bookmarkKey).toBe('people');
  });

  it('refuses an empty filter value and a reversed date window', () => {
    expect(usage(() => planExport({ resource: people, format: 'csv', where: [['email', '']] })).hint).toMatch(/every record/);
    const reversed = usage(() =>
      planExport({ resource: people, format: 'csv', since: '2026-05-01T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z' }),
    );
    expect(reversed.message).toMatch(/--since .* is after --until/);
  });

  it('says once that a resource without a date filter is compared by content, and refuses --since for it', () => {
    const plan = planExport({ resource: notes, format: 'ndjson', stateFile: 's.json' });
    expect(plan.notices).toHaveLength(1);
    expect(plan.notices[0]).toMatch(/no date filter: every record is read, and only those new or changed/);
    expect(plan.incremental).toBeUndefined();
    expect(plan.tracking).toBe('hash');
    expect(usage(() => planExport({ resource: notes, format: 'ndjson', since: '2026-01-01T00:00:00.000Z' })).message).toMatch(
      /no date filter/,
    );
  });

  it('accepts known --include names and refuses others with the list', () => {
    expect(planExport({ resource: people, format: 'ndjson', include: ['tags'] }).gathered.map((g) => g.name)).toEqual(['tags']);
    const error = usage(() => planExport({ resource: people, format: 'ndjson', include: ['pets'] }));
    expect(error.hint).toMatch(/tags/);
  });
});

describe('child resources', () => {
  const items: ResourceDef = {
    ...people,
    name: 'items',
    customFields: undefined,
    fields: [
      { name: 'id', type: 'integer', key: true },
      { name: 'order_id', type: 'integer', key: true, writeOnly: true },
    ],
    actions: [
      {
        id: 'read',
        kind: 'read',
        title: 'Read',
        method: 'GET',
        path: '/orders/{order_id}',
        operationId: 'get',
        shape: { kind: 'list', key: 'order_items' },
        params: [{ name: 'order_id', description: 'order' }],
      },
    ],
  } as ResourceDef;

  it('carries the parent id into each record, typed as the catalog says, so the file can be imported back', () => {
    const plan = planExport({ resource: items, format: 'csv', params: [['order_id', '12']] });
    expect(plan.path).toBe('/orders/12');
    expect(plan.parentValues).toEqual({ order_id: 12 });
  });
});
