import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { customFieldModel, withCustomFields } from '../../src/etl/custom-fields.js';
import { CellError } from '../../src/etl/errors.js';
import { csvColumns } from '../../src/etl/columns.js';
import { csvLine, csvParseOptions, csvStringifyOptions } from '../../src/etl/csv-cells.js';
import { createFlattenPlan, extendColumns, type FlattenPlan, flattenRecord } from '../../src/etl/flatten.js';
import { unflattenRow } from '../../src/etl/unflatten.js';
import { findResource } from '../../src/catalog/index.js';
import { contactsModelBody, contactsResource } from './fixtures.js';

const model = customFieldModel(contactsModelBody);
const customLabels = model.labels;
const tagsGathered = contactsResource.gathered!;

/** Writes rows with the shared options and reads them back as csv-parse would for an import. */
function csvRoundTrip(plan: FlattenPlan, records: Array<Record<string, unknown>>): Array<Record<string, string | null>> {
  const text = stringify([[...plan.columns], ...records.map((r) => flattenRecord(r, plan))], csvStringifyOptions());
  return parse(text, csvParseOptions()) as unknown as Array<Record<string, string | null>>;
}

const tricky = withCustomFields(
  {
    id: 101,
    given_name: 'Zoë "Zee", the 1st',
    family_name: 'Line\nbreak 😀',
    email_addresses: [
      { email: 'zoe@example.com', field: 'EMAIL1' },
      { email: 'zee,work@example.com', field: 'EMAIL3' },
    ],
    phone_numbers: [{ number: '+44 20 7946 0958', extension: '', field: 'PHONE1', type: 'Work' }],
    addresses: [
      {
        line1: '1 Main St',
        line2: null,
        locality: 'Boston',
        region: 'MA',
        zip_code: '02134',
        zip_four: '0001',
        country_code: 'USA',
        field: 'BILLING',
      },
    ],
    company: { id: 5, company_name: 'Acme; "Ltd"' },
    tag_ids: [3, 14, 15],
    score: 0.25,
    opt_in: false,
    origin: { date: '2026-01-01T00:00:00.000Z', ip_address: '10.0.0.1' },
    last_updated: '2026-02-03T04:05:06.789Z',
    custom_fields: [
      { id: 12, content: '' },
      { id: 7, content: 44 },
      { id: 4, content: 'multi\r\nline, "quoted"' },
    ],
    tags: [{ tag: { id: 1, name: 'VIP' }, date_applied: '2026-01-01T00:00:00.000Z' }],
  },
  model,
);

describe('flattenRecord', () => {
  const columns = csvColumns(contactsResource, { customLabels, gathered: tagsGathered });
  const plan = createFlattenPlan(contactsResource, columns, { customLabels });
  const cells = Object.fromEntries(columns.map((c, i) => [c, flattenRecord(tricky, plan)[i]]));

  it('reads nested objects, discriminated arrays, JSON arrays and custom fields into their columns', () => {
    expect(cells['email_addresses.EMAIL1.email']).toBe('zoe@example.com');
    expect(cells['email_addresses.EMAIL2.email']).toBeNull();
    expect(cells['email_addresses.EMAIL3.email']).toBe('zee,work@example.com');
    expect(cells['addresses.BILLING.zip_code']).toBe('02134');
    expect(cells['addresses.BILLING.line2']).toBeNull();
    expect(cells['company.company_name']).toBe('Acme; "Ltd"');
    expect(cells['tag_ids']).toBe('[3,14,15]');
    expect(cells['opt_in']).toBe(false);
    expect(JSON.parse(String(cells['origin']))).toEqual(tricky.origin);
    expect(cells['custom.Shoe size']).toBe(44);
    expect(cells['custom.Favourite colour']).toBe('');
    expect(cells['custom.Favourite colour (2)']).toBeNull();
    expect(JSON.parse(String(cells['tags']))).toEqual(tricky.tags);
    expect(columns).not.toContain('custom_fields');
  });

  it('reports keys the header lacks and the catalog does not know, once each', () => {
    const fresh = createFlattenPlan(contactsResource, columns, { customLabels });
    fresh.flatten({ id: 1, surprise: { a: 1, b: [2] }, company: { id: 1, extra: 'x' } });
    fresh.flatten({ id: 2, surprise: { a: 3 }, email_addresses: [{ email: 'a@b', field: 'EMAIL9' }] });
    expect([...fresh.unknownKeys].sort()).toEqual(['company.extra', 'email_addresses', 'surprise.a', 'surprise.b']);
  });
});

describe('extendColumns', () => {
  it('appends fields the catalog does not know from the first page, in first-seen order', () => {
    const base = csvColumns(contactsResource);
    const extended = extendColumns(
      base,
      [
        { id: 1, zeta: 1, nested: { x: 1 } },
        {
          id: 2,
          alpha: 'a',
          zeta: 2,
          email_addresses: [
            { email: 'a@b', field: 'EMAIL1' },
            { email: 'c@d', field: 'EMAIL1' },
          ],
        },
      ],
      contactsResource,
    );
    expect(extended.slice(base.length)).toEqual(['zeta', 'nested.x', 'alpha', 'email_addresses']);
    expect(extended.slice(0, base.length)).toEqual(base);
  });

  it('keeps repeated discriminator values in the extra column so no element is lost', () => {
    const record = {
      id: 3,
      email_addresses: [{ email: 'a@b', field: 'EMAIL1' }, { email: 'c@d', field: 'EMAIL1' }, { email: 'e@f' }],
    };
    const columns = extendColumns(csvColumns(contactsResource), [record], contactsResource);
    const plan = createFlattenPlan(contactsResource, columns);
    const [row] = csvRoundTrip(plan, [record]);
    const back = unflattenRow(row!, contactsResource);
    expect(back.email_addresses).toEqual(record.email_addresses);
    expect(plan.unknownKeys.size).toBe(0);
  });
});

describe('CSV round trip', () => {
  const columns = csvColumns(contactsResource, { customLabels, gathered: tagsGathered });
  const plan = createFlattenPlan(contactsResource, columns, { customLabels });
  const other = { id: 102, given_name: '', family_name: null, tag_ids: [], opt_in: true, score: -3 };

  it('reads back every cell as written: commas, quotes, newlines, unicode, emoji, leading zeros, "" vs null', () => {
    const rows = csvRoundTrip(plan, [tricky, other]);
    expect(rows).toHaveLength(2);
    const expected = [flattenRecord(tricky, plan), flattenRecord(other, plan)].map((cells) =>
      Object.fromEntries(columns.map((c, i) => [c, cells[i] === null ? null : String(cells[i])])),
    );
    expect(rows).toEqual(expected);
    expect(rows[1]!.given_name).toBe('');
    expect(rows[1]!.family_name).toBeNull();
    expect(rows[0]!['custom.Favourite colour']).toBe('');
  });

  it('unflattens to the nested JSON the API takes, typed by the catalog', () => {
    const [row] = csvRoundTrip(plan, [tricky]);
    const back = unflattenRow(row!, contactsResource, { customTypes: model.labelTypes });
    expect(back).toEqual({
      id: 101,
      given_name: tricky.given_name,
      family_name: tricky.family_name,
      email_addresses: [
        { email: 'zoe@example.com', field: 'EMAIL1' },
        { email: 'zee,work@example.com', field: 'EMAIL3' },
      ],
      phone_numbers: [{ number: '+44 20 7946 0958', extension: '', field: 'PHONE1', type: 'Work' }],
      addresses: [
        {
          line1: '1 Main St',
          locality: 'Boston',
          region: 'MA',
          zip_code: '02134',
          zip_four: '0001',
          country_code: 'USA',
          field: 'BILLING',
        },
      ],
      company: { id: 5, company_name: 'Acme; "Ltd"' },
      tag_ids: [3, 14, 15],
      score: 0.25,
      opt_in: false,
      origin: tricky.origin,
      last_updated: tricky.last_updated,
      custom: { 'Favourite colour': '', 'Shoe size': 44, 'v1.2 notes': 'multi\r\nline, "quoted"' },
      tags: tricky.tags,
    });
  });

  it('flatten(unflatten(row)) gives back every cell (the round-trip property)', () => {
    for (const record of [tricky, other]) {
      const [row] = csvRoundTrip(plan, [record]);
      const back = unflattenRow(row!, contactsResource, { customTypes: model.labelTypes });
      expect(flattenRecord(back, plan)).toEqual(flattenRecord(record, plan));
    }
  });

  it('leaves empty cells out instead of sending nulls, and drops elements with no values', () => {
    const back = unflattenRow({ id: '7', given_name: null, 'email_addresses.EMAIL1.email': null, 'company.id': null }, contactsResource);
    expect(back).toEqual({ id: 7 });
  });

  it('accepts a hand-typed list for plain arrays and refuses values of the wrong type, naming the column', () => {
    expect(unflattenRow({ tag_ids: '1, 2,3' }, contactsResource).tag_ids).toEqual([1, 2, 3]);
    expect(() => unflattenRow({ id: 'abc' }, contactsResource)).toThrow(CellError);
    expect(() => unflattenRow({ id: 'abc' }, contactsResource)).toThrow(/column id/);
    expect(() => unflattenRow({ opt_in: 'maybe' }, contactsResource)).toThrow(/opt_in/);
    expect(() => unflattenRow({ origin: '{oops' }, contactsResource)).toThrow(/origin/);
    expect(unflattenRow({ opt_in: 'TRUE' }, contactsResource).opt_in).toBe(true);
  });

  it("types cells by a write body's properties when given: they win over the fields, and body-only ones are read too", () => {
    const properties = [
      { name: 'score', type: 'string' as const },
      { name: 'opt_in_reason', type: 'string' as const },
      { name: 'promo_codes', type: 'array' as const, items: 'string' as const },
      { name: 'origin', type: 'object' as const, components: [{ name: 'ip_address', type: 'string' as const }] },
      { name: 'company', type: 'object' as const, components: [{ name: 'id', type: 'integer' as const }] },
    ];
    const row = { score: '07.50', opt_in_reason: 'Fair', promo_codes: 'SPRING, FALL', 'origin.ip_address': '10.0.0.1', 'company.id': '5' };
    expect(unflattenRow(row, contactsResource, { properties })).toEqual({
      score: '07.50',
      opt_in_reason: 'Fair',
      promo_codes: ['SPRING', 'FALL'],
      origin: { ip_address: '10.0.0.1' },
      company: { id: 5 },
    });
    expect(() => unflattenRow({ 'company.id': 'five' }, contactsResource, { properties })).toThrow(/column company\.id/);
  });

  it('nests columns the catalog does not know by their dot path, as text', () => {
    expect(unflattenRow({ 'surprise.a': '1', zeta: '02' }, contactsResource)).toEqual({ surprise: { a: '1' }, zeta: '02' });
  });
});

describe('csv options', () => {
  it('quote only what needs it plus empty strings; booleans as true/false; LF line ends', () => {
    const text = stringify([['a', '', null, true, false, 0, 'x,y']], csvStringifyOptions());
    expect(text).toBe('a,"",,true,false,0,"x,y"\n');
  });

  it('parse an empty unquoted cell as null and "" as an empty string, skipping a BOM', () => {
    const rows = parse('\uFEFFa,b,c\r\n"",,x\r\n', csvParseOptions()) as unknown[];
    expect(rows).toEqual([{ a: '', b: null, c: 'x' }]);
  });

  it('csvLine writes exactly what csv-stringify writes with those options', () => {
    const rows = [
      ['plain', '', null, true, false, 0, -1.5, 'x,y', 'say "hi"', 'a\nb', 'c\r\nd', 'tab\there', ' spaced ', 'Zoë 😀', '02134'],
      [null, null],
      [''],
    ];
    for (const row of rows) expect(csvLine(row)).toBe(stringify([row], csvStringifyOptions()));
    const plan = createFlattenPlan(contactsResource, csvColumns(contactsResource, { customLabels, gathered: tagsGathered }), {
      customLabels,
    });
    const cells = flattenRecord(tricky, plan);
    expect(csvLine(cells)).toBe(stringify([cells], csvStringifyOptions()));
  });
});

describe('CSV fit for loaders', () => {
  const files = findResource('files');
  const fileData = files.gathered!.filter((g) => g.name === 'file_data');

  it('names each column once, even when a gathered field is named like a field (files --include file_data)', () => {
    const columns = csvColumns(files, { gathered: fileData });
    expect(columns.filter((c) => c === 'file_data')).toEqual(['file_data']);
    expect(new Set(columns).size).toBe(columns.length);
  });

  it('has no columns for write-only fields, but keeps write-only keys import needs', () => {
    const fileColumns = csvColumns(files);
    for (const writeOnly of ['file_association', 'is_public', 'file_data']) expect(fileColumns).not.toContain(writeOnly);
    const itemColumns = csvColumns(findResource('order-items'));
    expect(itemColumns).toContain('order_id');
    expect(itemColumns).not.toContain('product_id');
    expect(itemColumns).not.toContain('item_type');
  });

  it('writes a gathered plain string as the cell itself and a gathered list as JSON text, and reads both back', () => {
    const plan = createFlattenPlan(files, csvColumns(files, { gathered: fileData }));
    const [row] = csvRoundTrip(plan, [{ id: 7, file_name: 'a.txt', file_data: 'aGVsbG8=' }]);
    expect(row!.file_data).toBe('aGVsbG8=');
    expect(unflattenRow(row!, files).file_data).toBe('aGVsbG8=');

    const tagsPlan = createFlattenPlan(contactsResource, ['id', 'tags'], { gathered: tagsGathered });
    const [tagged] = csvRoundTrip(tagsPlan, [{ id: 1, tags: [{ id: 3, name: 'VIP' }] }]);
    expect(tagged!.tags).toBe('[{"id":3,"name":"VIP"}]');
    expect(unflattenRow(tagged!, contactsResource).tags).toEqual([{ id: 3, name: 'VIP' }]);
  });
});
