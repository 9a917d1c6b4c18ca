/**
 * Cells as people's files hold them -> values Keap takes, checked before anything is sent (issue
 * 13, items 5 and 6): email addresses (one rule, trimmed), phone numbers a spreadsheet rewrote in
 * scientific notation, booleans (1/0, yes/no, true/false in any case), and dates (dates.ts).
 *
 * validate.ts calls these for every value by its type and path, so CSV, JSON and NDJSON input,
 * body fields, components and custom fields are all read the same way.
 */
import { coerceDate, type DateFormats } from './dates.js';

export type { DateFormats } from './dates.js';

/** A value settled for sending, or why it cannot be sent. */
export type Coerced = { value: unknown; problem?: undefined } | { value?: undefined; problem: string };

/**
 * Keap has no recorded rule for an address, so this one is ours (and the sandbox's): one `@`, a
 * non-empty local part, a dot inside the domain, no spaces.
 */
export const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What Excel shows a long number as once it has rounded it (`6.12346E+09`): the digits are gone. */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?E[+-]?\d+$/i;

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Why an address breaks the rule, in the user's terms; undefined when it keeps it. */
function emailProblem(text: string): string | undefined {
  if (EMAIL_ADDRESS.test(text)) return undefined;
  const why = (reason: string) => `${show(text)} is not an email address: ${reason}`;
  if (/\s/.test(text)) return why('it has a space in it');
  const at = text.split('@').length - 1;
  if (at !== 1) return why(at === 0 ? 'it has no @' : `it has ${at} @ signs, and an address has one`);
  const [local = '', domain = ''] = text.split('@');
  if (local === '') return why('nothing comes before the @');
  if (domain === '') return why('nothing comes after the @');
  return why(`its domain "${domain}" needs a dot inside it, as in example.com`);
}

/**
 * An email address cell: surrounding whitespace trimmed (`trimmed` says so, for the summary), then
 * held to the rule. '' passes (a cleared value).
 */
export function coerceEmail(value: string): Coerced & { trimmed?: boolean } {
  const text = value.trim();
  if (text === '') return { value: text, trimmed: text !== value };
  const problem = emailProblem(text);
  return problem ? { problem } : { value: text, trimmed: text !== value };
}

/** A phone number cell: refused when a spreadsheet rewrote it in scientific notation. */
export function coercePhone(value: string): Coerced {
  if (!SCIENTIFIC.test(value.trim())) return { value };
  return {
    problem: `${show(value)} is a phone number a spreadsheet rewrote in scientific notation, which loses its digits: format the column as Text and copy the numbers in again`,
  };
}

/** true/false, 1/0, yes/no in any case (and JSON's true, false, 1, 0). */
export function coerceBoolean(value: unknown): Coerced {
  if (typeof value === 'boolean') return { value };
  if (value === 1 || value === 0) return { value: value === 1 };
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === 'yes' || text === '1') return { value: true };
  if (text === 'false' || text === 'no' || text === '0') return { value: false };
  return { problem: `${show(value)} is not true or false (true/false, yes/no or 1/0)` };
}

/**
 * Body paths that hold an email address or a phone number, by the spec's own names in every write
 * schema (`email_addresses[].email`, `email_address`, a user's `email`; `phone_numbers[].number`,
 * `phone_number.number`, and fax numbers alike). A name rule, so no resource is special-cased.
 */
export function textKind(path: string): 'email' | 'phone' | undefined {
  const parts = path.split('.');
  const last = parts[parts.length - 1];
  if (last === 'email' || last === 'email_address') return 'email';
  if (last === 'number' && parts.length > 1 && /^(phone|fax)_numbers?$/.test(parts[0] ?? '')) return 'phone';
  return undefined;
}

/**
 * Settles values as validation meets them; counts the email addresses it trimmed, for the one
 * summary line.
 */
export class Coercer {
  trimmedEmails = 0;

  constructor(readonly formats: DateFormats = {}) {}

  /** A text value at a body path: emails trimmed and checked, phone numbers checked. */
  text(path: string, text: string): Coerced {
    const kind = textKind(path);
    return kind === undefined ? { value: text } : this.ofKind(kind, text);
  }

  date(value: unknown, kind: 'date' | 'datetime'): Coerced {
    const result = coerceDate(value, kind, this.formats);
    return 'problem' in result ? { problem: result.problem } : { value: result.value };
  }

  /**
   * A custom field's content by its `/model` type, for the types read here (YesNo, Date, DateTime,
   * Email, PhoneNumber); undefined for the others.
   */
  custom(fieldType: string, content: unknown): Coerced | undefined {
    switch (fieldType) {
      case 'YesNo': {
        const answer = coerceBoolean(content);
        return answer.problem === undefined ? answer : { problem: `${show(content)} is not Yes or No` };
      }
      case 'Date': {
        // How Keap writes a Date custom field is not recorded: one read with a time of day goes back
        // as a date-time (as before), not refused.
        const date = this.date(content, 'date');
        return date.problem?.includes('has a time of day') ? this.date(content, 'datetime') : date;
      }
      case 'DateTime':
        return this.date(content, 'datetime');
      case 'Email':
        return typeof content === 'string' ? this.ofKind('email', content) : undefined;
      case 'PhoneNumber':
        return typeof content === 'string' ? this.ofKind('phone', content) : undefined;
      default:
        return undefined;
    }
  }

  private ofKind(kind: 'email' | 'phone', text: string): Coerced {
    if (kind === 'phone') return coercePhone(text);
    const result = coerceEmail(text);
    if (result.trimmed) this.trimmedEmails++;
    return result.problem === undefined ? { value: result.value } : { problem: result.problem };
  }
}
