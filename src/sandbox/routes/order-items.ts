/**
 * What Keap makes of an order's items and contact (issue 13, item 15):
 * - an item's `price` overrides the product's price; the spec's CreateOrderItem sends it as a
 *   string ("Must be greater than or equal to 0"), the OrderItem read back holds a double;
 * - the order's `contact` shows the contact as stored when the order is read, not as generated.
 */
import type { Rec } from '../generate.js';
import type { Collection } from '../store.js';
import { HttpError } from './http.js';

/** The item's price: the one sent (a string or a number >= 0), else the product's. */
export function itemPrice(body: Rec, product: Rec): number {
  const given = body['price'];
  if (given === undefined || given === null) return Number(product['product_price'] ?? 0);
  const price =
    typeof given === 'number' ? given : typeof given === 'string' && /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(given) ? Number(given) : Number.NaN;
  if (!Number.isFinite(price) || price < 0) {
    throw new HttpError(400, `price must be a number greater than or equal to 0, not ${JSON.stringify(given)}`);
  }
  return price;
}

function primaryEmail(contact: Rec): string {
  const emails = Array.isArray(contact['email_addresses']) ? (contact['email_addresses'] as Rec[]) : [];
  const first = emails.find((e) => e['field'] === 'EMAIL1') ?? emails[0];
  return typeof first?.['email'] === 'string' ? first['email'] : '';
}

/** The order with its `contact` read from the contact as stored now; a deleted contact keeps what the order had. */
export function withStoredContact(contacts: Collection, order: Rec): Rec {
  const embedded = (order['contact'] ?? {}) as Rec;
  const id = Number(embedded['id'] ?? order['contact_id']);
  const contact = Number.isSafeInteger(id) ? contacts.get(id) : undefined;
  if (!contact) return order;
  const company = (contact['company'] ?? {}) as Rec;
  return {
    ...order,
    contact: {
      ...embedded,
      id,
      first_name: String(contact['given_name'] ?? ''),
      last_name: String(contact['family_name'] ?? ''),
      email: primaryEmail(contact),
      company_name: String(company['company_name'] ?? contact['company_name'] ?? ''),
      job_title: String(contact['job_title'] ?? ''),
    },
  };
}
