/** Products and their subscription plans. */
import { subscriptionPlans, type Rec } from '../generate.js';
import type { Store } from '../store.js';
import { HttpError, noContent, ok } from './http.js';
import { page } from './paging.js';
import { clean, merge, must, notFound } from './records.js';
import { bodyObject, idParam, requireFields } from './request.js';
import type { RouteTable } from './table.js';

/** A product's subscription plans: the ones it was given, or else the generated ones. */
export function plansOf(store: Store, product: Rec): Rec[] {
  return (product['subscription_plans'] as Rec[] | undefined) ?? subscriptionPlans(store.seed, product['id'] as number);
}

export function addProductRoutes(table: RouteTable): void {
  const { add, crud, collection: c, store } = table;
  const productListView = (r: Rec): Rec => ({ ...clean(r), status: r['active'] === false ? 0 : 1 });
  add('GET', '/products', (req) => {
    const active = req.query.get('active');
    return page(req, c('products'), {
      key: 'products',
      ...(active === 'true' || active === 'false' ? { where: (r: Rec) => String(r['active'] !== false) === active } : {}),
      view: productListView,
      extra: { sync_token: 'sandbox-sync' },
    });
  });
  add('GET', '/products/sync', (req) =>
    page(req, c('products'), {
      key: 'product_statuses',
      view: (r) => ({ product: productListView(r), status: c('products').overlay.has(r['id'] as number) ? 'UPDATED' : 'CREATED' }),
      extra: { sync_token: 'sandbox-sync' },
    }),
  );
  add('GET', '/products/{id}', (req) => ok(clean(must(c('products'), idParam(req), 'Product'))));
  crud('/products', 'products', 'Product', {
    create: {
      status: 201,
      required: ['product_name'],
      build: (body, id) =>
        merge({ id, active: true, product_price: 0, subscription_only: false, subscription_plans: [], sku: '', url: '' }, body, {}),
      validate: (body) => {
        if (body['product_price'] !== undefined && typeof body['product_price'] !== 'number')
          throw new HttpError(400, 'product_price must be a number');
      },
    },
    patch: { required: ['product_name'] },
    del: true,
  });
  add('GET', '/products/{id}/subscriptions/{subscriptionId}', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const planId = idParam(req, 'subscriptionId');
    const plan = plansOf(store, product).find((p) => p['id'] === planId);
    if (!plan) throw notFound('Subscription plan', planId);
    return ok(plan);
  });
  add('POST', '/products/{id}/subscriptions', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const body = bodyObject(req);
    requireFields(body, ['cycle_type', 'plan_price']);
    if (!['YEAR', 'MONTH', 'WEEK', 'DAY'].includes(String(body['cycle_type'])))
      throw new HttpError(400, `Invalid cycle_type '${String(body['cycle_type'])}'. Allowed values: YEAR, MONTH, WEEK, DAY`);
    const plans = plansOf(store, product);
    const id = Math.max((product['id'] as number) * 10, ...plans.map((p) => Number(p['id']))) + 1;
    const plan: Rec = {
      active: true,
      frequency: 1,
      number_of_cycles: 0,
      subscription_plan_index: plans.length + 1,
      subscription_plan_name: '',
      url: '',
      ...body,
      id,
    };
    c('products').put({ ...product, subscription_plans: [...plans, plan] });
    return ok(plan, 201);
  });
  add('DELETE', '/products/{id}/subscriptions/{subscriptionId}', (req) => {
    const product = must(c('products'), idParam(req), 'Product');
    const planId = idParam(req, 'subscriptionId');
    const plans = plansOf(store, product);
    if (!plans.some((p) => p['id'] === planId)) throw notFound('Subscription plan', planId);
    c('products').put({ ...product, subscription_plans: plans.filter((p) => p['id'] !== planId) });
    return noContent;
  });
}
