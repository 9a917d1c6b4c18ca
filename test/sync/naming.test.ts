/** The naming and typing rules of the database tables (issue 18, item 2). */
import { describe, expect, it } from 'vitest';
import { findResource } from '../../src/catalog/index.js';
import { customFieldType, fitValue, inferType, resourceLayout } from '../../src/etl/sync/layout.js';
import { assignCustomColumns, childTableName, identifier, MAX_IDENTIFIER, variantColumn } from '../../src/etl/sync/naming.js';
import { parseTarget, redactText, redactUrl } from '../../src/etl/sync/target.js';

describe('identifiers', () => {
  it('are lower-case [a-z0-9_], never start with a digit, and fit in 63 bytes', () => {
    expect(identifier('Shoe size (EU)')).toBe('shoe_size_eu');
    expect(identifier('Lifetime Value (€)')).toBe('lifetime_value');
    expect(identifier('Is "VIP"?')).toBe('is_vip');
    expect(identifier('Crème brûlée')).toBe('creme_brulee');
    expect(identifier('2nd phone')).toBe('_2nd_phone');
    expect(identifier('order-items')).toBe('order_items');
    const long = identifier('a very long label '.repeat(10));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_IDENTIFIER);
    expect(long).toMatch(/^[a-z0-9_]+$/);
    expect(long.endsWith('_')).toBe(false);
  });

  it('name child tables by parent and field, and variants by column, within the limit', () => {
    expect(childTableName('contacts', 'email_addresses')).toBe('contacts__email_addresses');
    expect(variantColumn('anniversary')).toBe('anniversary__v_text');
    expect(variantColumn('x'.repeat(63)).length).toBe(63);
    expect(variantColumn('x'.repeat(63)).endsWith('__v_text')).toBe(true);
  });
});

describe('custom-field columns', () => {
  it('are the label as an identifier; a collision with a built-in or another label gets _<field id>', () => {
    const columns = assignCustomColumns(
      [
        { id: 9, label: 'Shoe-Size' },
        { id: 7, label: 'Shoe size' },
        { id: 11, label: 'Email' },
        { id: 13, label: '会員番号' },
      ],
      new Map(),
      ['id', 'email', 'given_name'],
    );
    expect(columns).toEqual([
      { fieldId: 7, column: 'shoe_size', label: 'Shoe size' },
      { fieldId: 9, column: 'shoe_size_9', label: 'Shoe-Size' },
      { fieldId: 11, column: 'email_11', label: 'Email' },
      { fieldId: 13, column: 'field_13', label: '会員番号' },
    ]);
  });

  it('keep the recorded column when a label is renamed, and a new field takes the freed name only if nobody holds it', () => {
    const recorded = new Map([[7, 'shoe_size']]);
    const columns = assignCustomColumns(
      [
        { id: 7, label: 'Shoe size (EU)' },
        { id: 15, label: 'Shoe size' },
      ],
      recorded,
      ['id'],
    );
    expect(columns).toEqual([
      { fieldId: 7, column: 'shoe_size', label: 'Shoe size (EU)' },
      { fieldId: 15, column: 'shoe_size_15', label: 'Shoe size' },
    ]);
  });

  it('keep their suffix within 63 bytes', () => {
    const [column] = assignCustomColumns([{ id: 123456, label: 'y'.repeat(80) }], new Map(), ['y'.repeat(63)]);
    expect(column?.column).toBe(`${'y'.repeat(63 - 7)}_123456`);
  });

  it('are typed from Keap field types', () => {
    expect(customFieldType('WholeNumber')).toBe('integer');
    expect(customFieldType('Currency')).toBe('numeric');
    expect(customFieldType('YesNo')).toBe('boolean');
    expect(customFieldType('Date')).toBe('date');
    expect(customFieldType('Dropdown')).toBe('text');
    expect(customFieldType(undefined)).toBe('text');
  });
});

describe('column types', () => {
  it('keep money exact as the JSON number text, and refuse what does not fit (no coercion)', () => {
    expect(fitValue('numeric', 19.99)).toBe('19.99');
    expect(fitValue('numeric', 0.1)).toBe('0.1');
    expect(fitValue('numeric', '1234.50')).toBe('1234.50');
    expect(fitValue('numeric', 'twelve')).toBeUndefined();
    expect(fitValue('integer', 12)).toBe(12);
    expect(fitValue('integer', 1.5)).toBeUndefined();
    expect(fitValue('integer', 'abc')).toBeUndefined();
    expect(fitValue('boolean', 'true')).toBeUndefined();
    expect(fitValue('boolean', false)).toBe(false);
    expect(fitValue('text', 12)).toBeUndefined();
    expect(fitValue('timestamp', '2026-01-02T03:04:05.000Z')).toBe('2026-01-02T03:04:05.000Z');
    expect(fitValue('timestamp', 'soon')).toBeUndefined();
    // Keap's "" for a date or number never set is no value; in a text column it is the text "".
    expect(fitValue('timestamp', '')).toBeNull();
    expect(fitValue('integer', '')).toBeNull();
    expect(fitValue('text', '')).toBe('');
    expect(fitValue('date', '2026-01-02')).toBe('2026-01-02');
    expect(fitValue('json', { a: 1 })).toBe('{"a":1}');
    expect(fitValue('integer', null)).toBeNull();
  });

  it('of child items are taken from the first value', () => {
    expect(inferType(3)).toBe('integer');
    expect(inferType(3.5)).toBe('numeric');
    expect(inferType('2026-01-02T03:04:05.000Z')).toBe('timestamp');
    expect(inferType('x')).toBe('text');
    expect(inferType({})).toBe('json');
  });

  it('come from the catalog: contacts keyed by id, keyed arrays as child tables, money numeric', () => {
    const layout = resourceLayout(findResource('contacts'), []);
    expect(layout.table.key).toEqual(['id']);
    expect(layout.children.map((c) => c.table)).toEqual(
      expect.arrayContaining(['contacts__email_addresses', 'contacts__phone_numbers', 'contacts__addresses']),
    );
    expect(layout.children.find((c) => c.field === 'email_addresses')?.discriminator).toBe('field');
    const types = new Map(layout.table.columns.map((c) => [c.name, c.type]));
    expect(types.get('id')).toBe('integer');
    expect(types.get('last_updated')).toBe('timestamp');
    expect(types.get('email_opted_in')).toBe('boolean');
    expect([...types.keys()]).toEqual(expect.arrayContaining(['_extra', '_hash', '_synced_at', '_deleted_at']));
    const orders = resourceLayout(findResource('orders'), []);
    expect(orders.table.columns.find((c) => c.name === 'total')?.type).toBe('numeric');
  });
});

describe('--to', () => {
  it('reads sqlite:PATH relative to the working folder', () => {
    expect(parseTarget('sqlite:keap.db', {}, '/tmp')).toEqual({ kind: 'sqlite', path: '/tmp/keap.db', label: 'sqlite:keap.db' });
  });

  it('refuses a folder that does not exist and what is not a database URL (exit 2)', () => {
    expect(() => parseTarget('sqlite:/no/such/folder/keap.db', {})).toThrow(/does not exist/);
    expect(() => parseTarget('mysql://x', {})).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('reads postgres URLs with sslmode, and what they leave out from PG* variables, as psql does', () => {
    const target = parseTarget('postgresql://keap:s3cret@db.example.com:6543/crm?sslmode=require', {});
    expect(target).toMatchObject({
      kind: 'postgres',
      host: 'db.example.com',
      port: 6543,
      user: 'keap',
      database: 'crm',
      password: 's3cret',
      sslmode: 'require',
    });
    expect(target.label).toBe('postgres://keap@db.example.com:6543/crm');
    const fromEnv = parseTarget('postgres://', {
      PGHOST: 'pg.internal',
      PGPORT: '5433',
      PGUSER: 'ops',
      PGDATABASE: 'keap',
      PGSSLMODE: 'disable',
    });
    expect(fromEnv).toMatchObject({ host: 'pg.internal', port: 5433, user: 'ops', database: 'keap', sslmode: 'disable' });
    expect(fromEnv).not.toHaveProperty('password');
    expect(() => parseTarget('postgres://h/db?sslmode=sometimes', {})).toThrow(/sslmode/);
  });

  it('never shows a password', () => {
    expect(redactUrl('postgres://keap:s3cret@db/crm')).toBe('postgres://keap:***@db/crm');
    const target = parseTarget('postgres://keap:s3cret@db/crm', {});
    expect(redactText('password authentication failed for s3cret', target)).toBe('password authentication failed for ***');
    let message = '';
    try {
      parseTarget('postgres://keap:s3cret@db:99999/crm', {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a URL/);
    expect(message).not.toContain('s3cret');
  });
});
