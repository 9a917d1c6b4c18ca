/** Products and their subscription plans. */
import { recordRandom } from '../random.js';
import type { Generator, Rec } from './context.js';
import { productName } from './names.js';
import { noteBodies } from './words.js';

export function subscriptionPlans(seed: number, productId: number): Rec[] {
  const r = recordRandom(seed, 'products:plans', productId);
  // Every third product, starting with the first, has subscription plans.
  if (productId % 3 !== 1) return [];
  return [1, 2].map((index) => ({
    id: productId * 10 + index,
    subscription_plan_name: index === 1 ? 'Monthly' : 'Yearly, 2 months free',
    subscription_plan_index: index,
    cycle_type: index === 1 ? 'MONTH' : 'YEAR',
    frequency: 1,
    number_of_cycles: 0,
    plan_price: r.money(9, 199),
    active: true,
    url: '',
  }));
}

export const products: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'products', id);
  return {
    id,
    product_name: productName(ctx.seed, id),
    product_price: r.money(1, 999),
    product_short_desc: r.pick(['', 'Best seller', 'Limited, while stocks last']),
    product_desc: r.pick(noteBodies),
    sku: `SKU-${String(id).padStart(5, '0')}`,
    active: r.bool(0.85),
    subscription_only: false,
    url: '',
    subscription_plans: subscriptionPlans(ctx.seed, id),
  };
};
