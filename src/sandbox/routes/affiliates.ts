/** Affiliates, their commissions, programs, redirect links, summaries, clawbacks and payments. */
import { affiliateClawbacks, affiliatePayments, type Rec } from '../generate.js';
import { ok } from './http.js';
import { inWindow, orderKeys, page, pageArray } from './paging.js';
import { clean, must, without } from './records.js';
import { equalityFilter, idParam } from './request.js';
import type { RouteTable } from './table.js';

export function addAffiliateRoutes(table: RouteTable): void {
  const { add, crud, collection: c, store } = table;
  add('GET', '/affiliates', (req) => {
    const where = equalityFilter(req, {
      code: (r) => r['code'],
      contact_id: (r) => r['contact_id'],
      name: (r) => r['name'],
      parent_id: (r) => r['parent_id'],
      status: (r) => r['status'],
    });
    return page(req, c('affiliates'), { key: 'affiliates', ...(where ? { where } : {}), orders: orderKeys(['id', 'name']) });
  });
  add('GET', '/affiliates/{id}', (req) => ok(clean(must(c('affiliates'), idParam(req), 'Affiliate'))));
  crud('/affiliates', 'affiliates', 'Affiliate', {
    create: {
      status: 201,
      required: ['code', 'contact_id', 'password'],
      build: (body, id) => without({ ...body, id, status: body['status'] ?? 'active' }, ['password']),
    },
  });
  add('GET', '/affiliates/commissions', (req) => {
    const where = equalityFilter(req, { affiliateId: (r) => r['sales_affiliate_id'] });
    return page(req, c('affiliate-commissions'), { key: 'commissions', ...(where ? { where } : {}), view: (r) => without(r, ['id']) });
  });
  add('GET', '/affiliates/programs', (req) => {
    const where = equalityFilter(req, { affiliate_id: (r) => r['affiliate_id'] });
    return page(req, c('affiliate-programs'), {
      key: 'programs',
      ...(where ? { where } : {}),
      orders: orderKeys(['id', 'name', 'priority']),
    });
  });
  add('GET', '/affiliates/redirectlinks', (req) => {
    const where = equalityFilter(req, { affiliate_id: (r) => r['affiliate_id'] });
    return page(req, c('affiliate-redirect-links'), { key: 'redirects', ...(where ? { where } : {}), orders: orderKeys(['id', 'name']) });
  });
  add('GET', '/affiliates/summaries', (req) => {
    const wanted = new Set(
      (req.query.get('affiliate_ids') ?? '')
        .split(',')
        .filter((s) => /^\d+$/.test(s))
        .map(Number),
    );
    const summaries: Rec[] = [];
    for (const id of c('affiliates').ids()) {
      if (wanted.size && !wanted.has(id)) continue;
      const earned = Math.round(id * 137.5) / 10;
      const clawbacks = affiliateClawbacks(store, id).reduce((sum, r) => sum + Number(r['amount']), 0);
      summaries.push({
        affiliate_id: id,
        amount_earned: earned,
        clawbacks: Math.round(clawbacks * 100) / 100,
        balance: Math.round((earned - clawbacks) * 100) / 100,
      });
    }
    return ok({ count: summaries.length, summaries });
  });
  add('GET', '/affiliates/{id}/clawbacks', (req) => {
    const id = idParam(req);
    must(c('affiliates'), id, 'Affiliate');
    return pageArray(
      req,
      'clawbacks',
      inWindow(req, 'date_earned', affiliateClawbacks(store, id)).map((r) => without(r, ['id'])),
    );
  });
  add('GET', '/affiliates/{id}/payments', (req) => {
    const id = idParam(req);
    must(c('affiliates'), id, 'Affiliate');
    return pageArray(req, 'payments', inWindow(req, 'date', affiliatePayments(store, id)));
  });
}
