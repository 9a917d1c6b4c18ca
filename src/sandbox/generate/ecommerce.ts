/** Orders, their transactions, and subscriptions. */
import { recordRandom } from '../random.js';
import { type Generator, type Rec, fk, iso, updated } from './context.js';
import { contactEmail, person } from './names.js';
import { orderItems, orderTotal } from './order-items.js';
import { noteBodies, phone, place, streets } from './words.js';

export const orders: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'orders', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const modified = updated(ctx, 'orders', id);
  const created = modified - r.int(0, 30) * 86400000;
  const items = orderItems(ctx, id, r);
  const total = orderTotal(items);
  // The first orders are always paid, so the first parent of payments/transactions has children.
  const paid = id <= 3 || r.bool(0.7);
  const home = place(r);
  return {
    id,
    title: `${r.pick(['Web order', 'Phone order, rush', 'Commande', '注文'])} ${id}`,
    status: paid ? 'PAID' : 'UNPAID',
    recurring: false,
    total,
    total_paid: paid ? total : 0,
    total_due: paid ? 0 : total,
    refund_total: 0,
    contact_id: String(contactId),
    contact: {
      id: contactId,
      first_name: p.given,
      last_name: p.family,
      email: contactEmail(ctx.seed, contactId) ?? '',
      company_name: '',
      job_title: '',
    },
    creation_date: iso(created),
    order_date: iso(created),
    modification_date: iso(modified),
    order_type: 'Online',
    source_type: r.pick(['API', 'CHECKOUT_FORM', 'INVOICE']),
    invoice_number: 10000 + id,
    lead_affiliate_id: 0,
    sales_affiliate_id: 0,
    notes: r.pick(noteBodies),
    terms: '',
    allow_payment: true,
    allow_paypal: false,
    product_id: String((items[0]?.['product'] as Rec | undefined)?.['id'] ?? ''),
    order_items: items,
    shipping_information: {
      id,
      first_name: p.given,
      last_name: p.family,
      middle_name: '',
      company: '',
      phone: phone(r, home),
      street1: r.pick(streets),
      street2: '',
      city: home.city,
      state: home.region,
      zip: home.postal,
      country: home.country,
      invoiceToCompany: false,
    },
    payment_plan: {
      auto_charge: false,
      credit_card_id: 0,
      days_between_payments: 0,
      days_between_retries: 1,
      initial_payment_amount: total,
      initial_payment_date: iso(created),
      initial_payment_percent: 100,
      max_charge_attempts: 3,
      number_of_payments: 1,
      payment_gateway: { merchant_account_id: 1, merchant_account_name: 'Sandbox Payments', use_default: true },
      payment_method_id: '',
      plan_start_date: iso(created),
    },
  };
};

/** Transaction `id` belongs to order `id` (one payment per paid order, one failed attempt per unpaid). */
export const transactions: Generator = (ctx, id) => {
  const order = orders(ctx, id);
  const r = recordRandom(ctx.seed, 'transactions', id);
  const paid = order['status'] === 'PAID';
  return {
    id,
    amount: order['total'],
    currency: r.pick(['USD', 'USD', 'EUR', 'GBP']),
    collection_method: 'CREDIT_CARD',
    contact_id: Number(order['contact_id']),
    gateway: 'Sandbox',
    gateway_account_name: 'Sandbox Payments',
    status: paid ? 'Approved' : 'Declined',
    errors: paid ? '' : 'Card declined: "insufficient funds"',
    test: true,
    type: 'Sale',
    order_ids: String(id),
    transaction_date: order['modification_date'],
    paymentDate: order['modification_date'],
  };
};

export const subscriptions: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'subscriptions', id);
  const start = updated(ctx, 'subscriptions', id);
  const day = (ms: number) => iso(ms).slice(0, 10);
  const active = r.bool(0.7);
  return {
    id,
    contact_id: fk(ctx, 'contacts', r),
    product_id: fk(ctx, 'products', r),
    subscription_plan_id: r.int(1, 3),
    active,
    allow_tax: r.bool(),
    auto_charge: true,
    billing_amount: r.money(9, 99),
    billing_cycle: r.pick(['MONTH', 'YEAR', 'WEEK']),
    billing_frequency: 1,
    quantity: r.int(1, 3),
    credit_card_id: 0,
    payment_gateway_id: 1,
    sale_affiliate_id: 0,
    use_default_payment_gateway: true,
    start_date: day(start),
    next_bill_date: day(start + 30 * 86400000),
    ...(active ? {} : { end_date: day(start + 90 * 86400000) }),
  };
};
