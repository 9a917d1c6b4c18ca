/**
 * The one rule for an email address. Keap records none, so the sandbox holds writes to the rule
 * import checks before sending (src/etl/import/coerce.ts; the sandbox never imports it, so the two
 * are held equal by the tests): one `@`, a non-empty local part, a dot inside the domain, no spaces.
 */
import type { Rec } from '../generate.js';
import { HttpError } from './http.js';

const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Refuses anything but an address that keeps the rule, with the 400 every sandbox validation gives. */
export function checkEmailAddress(value: unknown): void {
  if (typeof value !== 'string' || !EMAIL_ADDRESS.test(value)) throw new HttpError(400, `Invalid email address: ${String(value)}`);
}

/** A plain body's own address fields (a company's `email_address`, a user's `email`), when given and not cleared. */
export function checkEmailFields(body: Rec): void {
  for (const name of ['email', 'email_address']) {
    const value = body[name];
    if (value !== undefined && value !== null && value !== '') checkEmailAddress(value);
  }
}
