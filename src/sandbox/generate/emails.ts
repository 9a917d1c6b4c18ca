/** Emails sent to contacts. */
import { recordRandom } from '../random.js';
import { type Generator, iso, updated } from './context.js';
import { contactEmail } from './names.js';
import { subjects } from './words.js';

export const emails: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'emails', id);
  const contactId = ((id - 1) % Math.max(1, ctx.count('contacts'))) + 1;
  const sent = updated(ctx, 'emails', id);
  const opened = r.bool(0.5);
  return {
    id,
    contact_id: contactId,
    subject: r.pick(subjects),
    headers: 'X-Mailer: sandbox',
    sent_to_address: contactEmail(ctx.seed, contactId) ?? 'unknown@example.com',
    sent_to_cc_addresses: '',
    sent_to_bcc_addresses: '',
    sent_from_address: 'news@sandbox.example.com',
    sent_from_reply_address: 'reply@sandbox.example.com',
    sent_date: iso(sent),
    received_date: iso(sent + 2000),
    ...(opened ? { opened_date: iso(sent + 3600000) } : {}),
    ...(opened && r.bool(0.3) ? { clicked_date: iso(sent + 3700000) } : {}),
    original_provider: r.pick(['INFUSIONSOFT', 'GOOGLE', 'MICROSOFT', 'UNKNOWN']),
    original_provider_id: `msg-${id}`,
    html_content: '<p>Hello, "friend" 👋</p>',
    plain_content: 'Hello, "friend" 👋\nSee you soon.',
  };
};
