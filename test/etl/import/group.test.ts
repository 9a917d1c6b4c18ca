import { describe, expect, it } from 'vitest';
import { findAction, findResource } from '../../../src/catalog/index.js';
import { RowGrouper } from '../../../src/etl/import/group.js';
import { mapRow } from '../../../src/etl/import/map-row.js';
import { type ColumnPlan, planColumns } from '../../../src/etl/import/mapping.js';
import { validateBody } from '../../../src/etl/import/validate.js';

const orders = findResource('orders');
const create = findAction(orders, 'create')!;
const header = ['order_ref', 'contact_id', 'order_title', 'order_date', 'order_type', 'product_id', 'quantity', 'price', 'description'];

/** Line-item rows as a spreadsheet holds them: one row per item, the order's fields repeated or left empty. */
function grouped(rows: Array<Array<string | null>>, plan: ColumnPlan = planColumns(orders, create, header, 'csv', {})) {
  const grouper = new RowGrouper(plan);
  rows.forEach((cells, index) => {
    const values = Object.fromEntries(header.map((column, i) => [column, cells[i] ?? null]));
    grouper.add(mapRow(plan, { row: index + 2, values }), values);
  });
  return grouper.units();
}

describe('RowGrouper', () => {
  it('turns line-item rows sharing order_ref into one order with one item per row', () => {
    const units = grouped([
      ['A-1', '12', 'Spring', '2024-05-01T09:00:00.000Z', 'Offline', '3', '2', '9.50', 'Mugs'],
      ['B-7', '13', 'Other', '2024-05-02T09:00:00.000Z', 'Online', '4', '1', null, null],
      ['A-1', null, null, null, null, '5', '1', '20.00', 'Teapot'],
    ]);
    expect(units).toHaveLength(2);
    expect(units[0]).toEqual({
      rows: [2, 4],
      problems: [],
      mapped: expect.objectContaining({
        row: 2,
        group: 'A-1',
        itemRows: [2, 4],
        body: {
          contact_id: 12,
          order_title: 'Spring',
          order_date: '2024-05-01T09:00:00.000Z',
          order_type: 'Offline',
          order_items: [
            { product_id: 3, quantity: 2, price: '9.50', description: 'Mugs' },
            { product_id: 5, quantity: 1, price: '20.00', description: 'Teapot' },
          ],
        },
      }),
    });
    expect(units[0]!.mapped.body).not.toHaveProperty('order_ref');
    expect(units[1]).toMatchObject({ rows: [3], mapped: { body: { contact_id: 13, order_items: [{ product_id: 4, quantity: 1 }] } } });
    expect(validateBody(orders, create, units[0]!.mapped).problems).toEqual([]);
  });

  it("reports rows of a group that disagree on the order's own fields, naming the rows and the column", () => {
    const [unit] = grouped([
      ['A-1', '12', 'Spring', '2024-05-01T09:00:00.000Z', 'Offline', '3', '2', null, null],
      ['A-1', '14', 'Spring', null, null, '5', '1', null, null],
    ]);
    expect(unit!.problems).toEqual([
      { field: 'contact_id', message: 'rows 2 and 3 of order_ref "A-1" disagree: "12" and "14"', rows: [2, 3] },
    ]);
  });

  it('a row without a group value is a problem naming the group column', () => {
    const units = grouped([
      ['A-1', '12', 'Spring', '2024-05-01T09:00:00.000Z', 'Offline', '3', '2', null, null],
      [null, '12', 'Spring', '2024-05-01T09:00:00.000Z', 'Offline', '4', '1', null, null],
    ]);
    expect(units[1]).toMatchObject({
      rows: [3],
      problems: [{ field: 'order_ref', message: expect.stringMatching(/^order_ref is empty/) }],
    });
  });

  it('groups by the column --group-by names, and without a group column each row is one order', () => {
    const byInvoice = planColumns(orders, create, [...header.slice(1), 'invoice'], 'csv', { groupBy: 'invoice' });
    expect(byInvoice.groupBy).toBe('invoice');
    const grouper = new RowGrouper(byInvoice);
    for (const row of [2, 3]) {
      grouper.add(mapRow(byInvoice, { row, values: { contact_id: '1', product_id: String(row), quantity: '1', invoice: 'X' } }));
    }
    expect(grouper.units().map((u) => u.rows)).toEqual([[2, 3]]);

    const ungrouped = planColumns(orders, create, header.slice(1), 'csv', {});
    expect(ungrouped.groupBy).toBeUndefined();
    const single = new RowGrouper(ungrouped);
    for (const row of [2, 3]) single.add(mapRow(ungrouped, { row, values: { contact_id: '1', product_id: String(row), quantity: '1' } }));
    expect(single.units().map((u) => [u.rows, u.mapped.body.order_items])).toEqual([
      [[2], [{ product_id: 2, quantity: 1 }]],
      [[3], [{ product_id: 3, quantity: 1 }]],
    ]);
  });
});
