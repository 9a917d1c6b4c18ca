/** An order's items: their record shape (generated and created alike) and the order total. */
import type { Random } from '../random.js';
import { type GenContext, type Rec, fk } from './context.js';
import { productName } from './names.js';

export function orderItems(ctx: GenContext, orderId: number, r: Random): Rec[] {
  const n = r.int(1, 3);
  const items: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const productId = fk(ctx, 'products', r);
    const price = r.money(5, 300);
    items.push({
      id: orderId * 10 + i + 1,
      name: productName(ctx.seed, productId),
      description: r.pick(['', 'Gift wrap, please', 'Size: "L"']),
      notes: '',
      type: 'Product',
      quantity: r.int(1, 4),
      price,
      cost: Math.round(price * 40) / 100,
      discount: 0,
      jobRecurringId: 0,
      specialAmount: 0,
      specialId: 0,
      specialPctOrAmt: 0,
      product: {
        id: productId,
        name: productName(ctx.seed, productId),
        description: '',
        sku: `SKU-${String(productId).padStart(5, '0')}`,
        shippable: r.bool(),
        taxable: r.bool(),
      },
    });
  }
  return items;
}

export function orderTotal(items: Rec[]): number {
  let total = 0;
  for (const item of items) total += Number(item['price'] ?? 0) * Number(item['quantity'] ?? 1);
  return Math.round(total * 100) / 100;
}
