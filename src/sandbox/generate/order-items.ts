/** An order's items: their record shape (generated and created alike) and the order total. */
import type { Random } from '../random.js';
import { type GenContext, type Rec, fk } from './context.js';
import { productName } from './names.js';

/** What an order item is made of; the rest of its record is the same for every item. */
export interface OrderItemFields {
  id: number;
  productId: number;
  /** Shown both as the item's name and its product's. */
  productName: unknown;
  sku: unknown;
  description: unknown;
  type: unknown;
  quantity: number;
  price: number;
  cost: number;
  shippable: boolean;
  taxable: boolean;
}

/** The one shape of an order item, for generated orders and for items a write adds alike. */
export function orderItemRecord(item: OrderItemFields): Rec {
  return {
    id: item.id,
    name: item.productName,
    description: item.description,
    notes: '',
    type: item.type,
    quantity: item.quantity,
    price: item.price,
    cost: item.cost,
    discount: 0,
    jobRecurringId: 0,
    specialAmount: 0,
    specialId: 0,
    specialPctOrAmt: 0,
    product: {
      id: item.productId,
      name: item.productName,
      description: '',
      sku: item.sku,
      shippable: item.shippable,
      taxable: item.taxable,
    },
  };
}

export function orderItems(ctx: GenContext, orderId: number, r: Random): Rec[] {
  const n = r.int(1, 3);
  const items: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const productId = fk(ctx, 'products', r);
    const price = r.money(5, 300);
    // The fields are drawn from `r` in this order (description, quantity, shippable, taxable): keep it, or the data changes.
    items.push(
      orderItemRecord({
        id: orderId * 10 + i + 1,
        productId,
        productName: productName(ctx.seed, productId),
        sku: `SKU-${String(productId).padStart(5, '0')}`,
        description: r.pick(['', 'Gift wrap, please', 'Size: "L"']),
        type: 'Product',
        quantity: r.int(1, 4),
        price,
        cost: Math.round(price * 40) / 100,
        shippable: r.bool(),
        taxable: r.bool(),
      }),
    );
  }
  return items;
}

export function orderTotal(items: Rec[]): number {
  let total = 0;
  for (const item of items) total += Number(item['price'] ?? 0) * Number(item['quantity'] ?? 1);
  return Math.round(total * 100) / 100;
}
