/** Affiliates, their programs, redirect links and commissions, and the per-affiliate clawbacks and payments. */
import { recordRandom } from '../random.js';
import { type GenContext, type Generator, type Rec, T0, fk, iso, updated } from './context.js';
import { person, productName } from './names.js';
import { noteBodies } from './words.js';

export const affiliates: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliates', id);
  const p = person(ctx.seed, 'contacts', id);
  return {
    id,
    code: `AFF${String(id).padStart(4, '0')}`,
    name: `${p.given} ${p.family}`.trim(),
    contact_id: Math.min(id, ctx.count('contacts')),
    parent_id: id > 3 ? r.int(1, 3) : 0,
    status: r.pick(['active', 'active', 'inactive']),
    notify_on_lead: r.bool(),
    notify_on_sale: r.bool(),
    track_leads_for: r.pick([30, 60, 90]),
  };
};

export const affiliatePrograms: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-programs', id);
  return {
    id,
    name: `${r.pick(['Partners', 'Résellers', 'Influencers 📣', 'Tier 1, Gold'])} ${id}`,
    affiliate_id: fk(ctx, 'affiliates', r),
    priority: id,
    notes: r.pick(noteBodies),
  };
};

export const affiliateRedirectLinks: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-redirect-links', id);
  return {
    id,
    name: `Link ${id}`,
    affiliate_id: fk(ctx, 'affiliates', r),
    local_url_code: `promo${id}`,
    redirect_url: `https://example.com/landing?ref=${id}&utm_source=aff`,
    program_ids: [fk(ctx, 'affiliate-programs', r)],
  };
};

export const affiliateCommissions: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'affiliate-commissions', id);
  const contactId = fk(ctx, 'contacts', r);
  const p = person(ctx.seed, 'contacts', contactId);
  const seller = person(ctx.seed, 'users', 1);
  return {
    id,
    sales_affiliate_id: fk(ctx, 'affiliates', r),
    amount_earned: r.money(1, 500),
    contact_id: contactId,
    contact_first_name: p.given,
    contact_last_name: p.family,
    date_earned: iso(updated(ctx, 'affiliate-commissions', id)),
    description: r.pick(['Sale', 'Renewal, year 2', 'Bonus 🎁']),
    invoice_id: fk(ctx, 'orders', r),
    product_name: productName(ctx.seed, fk(ctx, 'products', r)),
    sold_by_first_name: seller.given,
    sold_by_last_name: seller.family,
  };
};

/** Per-affiliate lists that have no collection of their own. */
export function affiliateClawbacks(ctx: GenContext, affiliateId: number): Rec[] {
  const r = recordRandom(ctx.seed, 'clawbacks', affiliateId);
  const n = affiliateId % 3;
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const contactId = fk(ctx, 'contacts', r);
    const p = person(ctx.seed, 'contacts', contactId);
    out.push({
      id: affiliateId * 100 + i + 1,
      amount: r.money(1, 80),
      contact_id: contactId,
      given_name: p.given,
      family_name: p.family,
      date_earned: iso(T0 + (affiliateId * 7 + i) * 86400000 * 5),
      description: 'Refunded, "partial"',
      invoice_id: fk(ctx, 'orders', r),
      product_name: productName(ctx.seed, 1),
      sale_affiliate_id: affiliateId,
      sold_by_given_name: 'Sam',
      sold_by_family_name: 'Lee',
      subscription_plan_name: '',
    });
  }
  return out;
}

export function affiliatePayments(ctx: GenContext, affiliateId: number): Rec[] {
  const r = recordRandom(ctx.seed, 'affiliate-payments', affiliateId);
  const n = (affiliateId % 4) + 1;
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: affiliateId * 100 + i + 1,
      amount: r.money(10, 900),
      date: iso(T0 + (affiliateId * 11 + i) * 86400000 * 7),
      notes: r.pick(['', 'Paid via check #0099', 'Virement, mars']),
      type: r.pick(['Check', 'Cash', 'Credit']),
    });
  }
  return out;
}
