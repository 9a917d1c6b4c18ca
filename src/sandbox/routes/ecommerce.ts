/** Orders, their items and payments, transactions, and subscriptions. */
import { contactEmail, orderTotal, type Rec } from '../generate.js';
import { orderItemRecord } from '../generate/order-items.js';
import type { Store } from '../store.js';
import { HttpError, noContent, ok } from './http.js';
import { inWindow, page, pageArray } from './paging.js';
import { itemPrice, withStoredContact } from './order-items.js';
import { plansOf } from './products.js';
import { clean, must, notFound, now } from './records.js';
import { bodyObject, equalityFilter, idParam, requireFields } from './request.js';
import type { RouteTable } from './table.js';

function orderPayments(store: Store, order: Rec): Rec[] {
  const id = order['id'] as number;
  const payments: Rec[] = [];
  if (order['status'] === 'PAID' && id <= store.count('orders')) {
    payments.push({
      id: id * 10 + 1,
      invoice_id: id,
      payment_id: id * 10 + 1,
      amount: order['total'],
      pay_date: order['modification_date'],
      last_updated: order['modification_date'],
      pay_status: 'Approved',
      note: 'Paid in full, "thanks"',
      skip_commission: false,
      refund_invoice_payment_id: 0,
    });
  }
  const added = store.singletons.get(`order-payments:${id}`);
  if (added && Array.isArray(added['items'])) payments.push(...(added['items'] as Rec[]));
  return payments;
}

/** An order with its total, what is due and its status worked out from its items and payments. */
function withTotals(order: Rec): Rec {
  const total = orderTotal((order['order_items'] as Rec[]) ?? []);
  const paid = Number(order['total_paid'] ?? 0);
  return {
    ...order,
    total,
    total_due: Math.max(0, Math.round((total - paid) * 100) / 100),
    status: paid >= total && total > 0 ? 'PAID' : 'UNPAID',
  };
}

/** Orders, their items and payments, and transactions. */
export function addOrderRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
  add('GET', '/orders', (req) => {
    const where = equalityFilter(req, {
      contact_id: (r) => r['contact_id'],
      product_id: (r) => r['product_id'],
      paid: (r) => String(r['status'] === 'PAID'),
    });
    const view = (order: Rec) => clean(withStoredContact(c('contacts'), order));
    return page(req, c('orders'), { key: 'orders', ...(where ? { where } : {}), view });
  });
  add('GET', '/orders/{id}', (req) => ok(clean(withStoredContact(c('contacts'), must(c('orders'), idParam(req), 'Order')))));
  const orderItem = (body: Rec, id: number): Rec => {
    const productId = Number(body['product_id']);
    const product = c('products').get(productId);
    if (!product) throw new HttpError(400, `Product with id ${String(body['product_id'])} not found`);
    return orderItemRecord({
      id,
      productId,
      productName: product['product_name'],
      sku: product['sku'] ?? '',
      description: body['description'] ?? '',
      type: body['item_type'] ?? 'Product',
      quantity: Number(body['quantity'] ?? 1),
      price: itemPrice(body, product),
      cost: 0,
      shippable: false,
      taxable: false,
    });
  };
  add('POST', '/orders', (req) => {
    const body = bodyObject(req);
    requireFields(body, ['contact_id', 'order_date', 'order_items', 'order_title', 'order_type']);
    const contactId = Number(body['contact_id']);
    const contact = c('contacts').get(contactId);
    if (!contact) throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
    if (!Array.isArray(body['order_items']) || body['order_items'].length === 0) throw new HttpError(400, 'order_items must not be empty');
    const id = c('orders').allocateId();
    const items = (body['order_items'] as Rec[]).map((item, i) => orderItem(item, id * 10 + i + 1));
    const stamp = now();
    const record = withTotals({
      id,
      title: body['order_title'],
      order_type: body['order_type'],
      order_date: body['order_date'],
      creation_date: stamp,
      modification_date: stamp,
      contact_id: String(contactId),
      contact: {
        id: contactId,
        first_name: contact['given_name'] ?? '',
        last_name: contact['family_name'] ?? '',
        email: contactEmail(store.seed, contactId) ?? '',
        company_name: '',
        job_title: '',
      },
      order_items: items,
      total_paid: 0,
      refund_total: 0,
      lead_affiliate_id: Number(body['lead_affiliate_id'] ?? 0),
      sales_affiliate_id: Number(body['sales_affiliate_id'] ?? 0),
      notes: '',
      terms: '',
      recurring: false,
      allow_payment: true,
      allow_paypal: false,
      source_type: 'API',
      invoice_number: 10000 + id,
      product_id: String((items[0]?.['product'] as Rec | undefined)?.['id']),
    });
    c('orders').put(record);
    return ok(clean(withStoredContact(c('contacts'), record)), 201);
  });
  add('DELETE', '/orders/{id}', (req) => {
    if (!c('orders').remove(idParam(req))) throw notFound('Order', req.params['id'] ?? '');
    return noContent;
  });
  add('POST', '/orders/{id}/items', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const body = bodyObject(req);
    requireFields(body, ['product_id', 'quantity']);
    const items = [...((order['order_items'] as Rec[]) ?? [])];
    const itemId = Math.max((order['id'] as number) * 10, ...items.map((i) => Number(i['id']))) + 1;
    const item = orderItem(body, itemId);
    items.push(item);
    c('orders').put(withTotals({ ...order, order_items: items, modification_date: now() }));
    return ok(item, 201);
  });
  add('DELETE', '/orders/{id}/items/{itemId}', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const itemId = idParam(req, 'itemId');
    const items = (order['order_items'] as Rec[]) ?? [];
    if (!items.some((i) => i['id'] === itemId)) throw notFound('Order item', itemId);
    c('orders').put(withTotals({ ...order, order_items: items.filter((i) => i['id'] !== itemId), modification_date: now() }));
    return noContent;
  });
  addPaymentAndTransactionRoutes(table);
}

/** An order's payments and transactions, and the transactions list. */
function addPaymentAndTransactionRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
  add('GET', '/orders/{id}/payments', (req) => ok(orderPayments(store, must(c('orders'), idParam(req), 'Order'))));
  add('POST', '/orders/{id}/payments', (req) => {
    const order = must(c('orders'), idParam(req), 'Order');
    const body = bodyObject(req);
    requireFields(body, ['payment_amount']);
    const amount = Number(body['payment_amount']);
    if (!Number.isFinite(amount) || amount <= 0) throw new HttpError(400, 'payment_amount must be a positive number');
    const orderId = order['id'] as number;
    const key = `order-payments:${orderId}`;
    const items = [...((store.singletons.get(key)?.['items'] as Rec[] | undefined) ?? [])];
    const paymentId = orderId * 10 + 2 + items.length;
    const stamp = now();
    items.push({
      id: paymentId,
      invoice_id: orderId,
      payment_id: paymentId,
      amount,
      pay_date: body['date'] ?? stamp,
      last_updated: stamp,
      pay_status: 'Approved',
      note: body['notes'] ?? '',
      skip_commission: !body['apply_to_commissions'],
      refund_invoice_payment_id: 0,
    });
    store.singletons.set(key, { items });
    c('orders').put(
      withTotals({ ...order, total_paid: Math.round((Number(order['total_paid'] ?? 0) + amount) * 100) / 100, modification_date: stamp }),
    );
    return ok({ id: paymentId, invoice_id: orderId, payment_amount: amount, payment_status: 'Approved', transaction_id: paymentId }, 201);
  });
  add('GET', '/orders/{id}/transactions', (req) => {
    const orderId = idParam(req);
    must(c('orders'), orderId, 'Order');
    const byContact = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    const found = c('transactions').get(orderId);
    const list = found && (!byContact || byContact(found)) ? [clean(found)] : [];
    return pageArray(req, 'transactions', inWindow(req, 'transaction_date', list));
  });
  add('GET', '/transactions', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('transactions'), { key: 'transactions', ...(where ? { where } : {}) });
  });
  add('GET', '/transactions/{id}', (req) => ok(clean(must(c('transactions'), idParam(req), 'Transaction'))));
}

export function addSubscriptionRoutes(table: RouteTable): void {
  const { add, crud, collection: c, store } = table;
  add('GET', '/subscriptions', (req) => {
    const where = equalityFilter(req, { contact_id: (r) => r['contact_id'] });
    return page(req, c('subscriptions'), { key: 'subscriptions', ...(where ? { where } : {}) });
  });
  /** A plan by its id: plan ids are `productId * 10 + n` (see subscriptionPlans). */
  const planById = (planId: number): { product: Rec; plan: Rec } | undefined => {
    const product = c('products').get(Math.floor(planId / 10));
    const plan = product ? plansOf(store, product).find((p) => p['id'] === planId) : undefined;
    return product && plan ? { product, plan } : undefined;
  };
  const subscriptionInput = (body: Rec): void => {
    if (!c('contacts').has(Number(body['contact_id']))) throw new HttpError(400, `Contact with id ${String(body['contact_id'])} not found`);
    const planId = Number(body['subscription_plan_id']);
    if (!planById(planId)) throw new HttpError(400, `Subscription plan with id ${String(body['subscription_plan_id'])} not found`);
    if (body['quantity'] !== undefined && !(Number.isSafeInteger(body['quantity']) && Number(body['quantity']) > 0))
      throw new HttpError(400, 'quantity must be greater than 0');
    if (body['billing_amount'] !== undefined && !(typeof body['billing_amount'] === 'number' && body['billing_amount'] >= 0))
      throw new HttpError(400, 'billing_amount must be 0 or greater');
    const firstBill = body['first_bill_date'];
    if (firstBill !== undefined) {
      // The spec: "Must not be in the past", in EST (UTC-5); an import of old subscriptions trips on this.
      const todayInEst = new Date(Date.now() - 5 * 3600_000).toISOString().slice(0, 10);
      if (typeof firstBill !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(firstBill))
        throw new HttpError(400, 'first_bill_date must be a date (YYYY-MM-DD)');
      if (firstBill < todayInEst) throw new HttpError(400, 'first_bill_date must not be in the past');
    }
    // Generated subscriptions name no real plan, so only created ones (the overlay) can be identical.
    const identical = [...c('subscriptions').overlay.values()].some(
      (r) => r['contact_id'] === Number(body['contact_id']) && r['subscription_plan_id'] === planId && r['active'] === true,
    );
    if (identical && body['allow_duplicate'] !== true)
      throw new HttpError(400, 'An identical subscription already exists for this contact; send allow_duplicate: true to create another');
  };
  crud('/subscriptions', 'subscriptions', 'Subscription', {
    create: {
      status: 201,
      // The spec requires only contact_id; a plan is needed too (Keap's v2 requires it; see sandboxSpecExceptions).
      required: ['contact_id', 'subscription_plan_id'],
      validate: subscriptionInput,
      build: (body, id) => {
        const { product, plan } = planById(Number(body['subscription_plan_id']))!;
        const today = now().slice(0, 10);
        return {
          id,
          contact_id: Number(body['contact_id']),
          product_id: product['id'],
          subscription_plan_id: plan['id'],
          active: true,
          allow_tax: body['allow_tax'] === true,
          auto_charge: body['auto_charge'] !== false,
          billing_amount: body['billing_amount'] ?? plan['plan_price'],
          billing_cycle: plan['cycle_type'],
          billing_frequency: plan['frequency'],
          quantity: body['quantity'] ?? 1,
          credit_card_id: body['credit_card_id'] ?? 0,
          payment_gateway_id: body['payment_gateway_id'] ?? 1,
          use_default_payment_gateway: body['payment_gateway_id'] === undefined,
          sale_affiliate_id: body['sale_affiliate_id'] ?? 0,
          start_date: today,
          next_bill_date: body['first_bill_date'] ?? today,
        };
      },
    },
  });
}
