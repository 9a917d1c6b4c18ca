/**
 * The walk of every parent (issue 15, item 9), driven directly so a parent can be deleted between
 * the listing and the read of its children: Keap then answers 404, which is not a failed run but
 * a parent with nothing left to write, counted in the line that says what the walk cost.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../../src/api/client.js';
import { bearerTokenSource } from '../../../src/api/credentials.js';
import type { KeapApi } from '../../../src/api/types.js';
import { findAction, findResource } from '../../../src/catalog/index.js';
import { planWalk, walkPages } from '../../../src/etl/export/walk.js';
import { sandboxSend, startTestSandbox, type TestSandbox } from '../../support/cli.js';

let sandbox: TestSandbox;
let api: KeapApi;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { orders: 6 } });
  api = createClient({ baseUrl: sandbox.apiUrl, credentials: bearerTokenSource(sandbox.token, 'test') });
});
afterAll(async () => {
  await api?.close();
  await sandbox?.stop();
});

it('a parent deleted after the listing and before its read is counted, and the walk goes on', async () => {
  const payments = findResource('order-payments');
  const walk = planWalk(payments, findAction(payments, 'read')!, [])!;
  expect(walk.parent.name).toBe('orders');
  const said: string[] = [];
  // One child read at a time, and pages of three orders: the second order is listed before it is read.
  const pages = walkPages(api, walk, { query: {}, pageSize: 3, prefetch: 1, concurrency: 1, onDone: (text) => said.push(text) });
  const parents: unknown[] = [];
  let deleted: unknown;
  for await (const page of pages) {
    const first = page.records[0] as { order_id: number } | undefined;
    parents.push(first?.order_id);
    if (deleted === undefined) {
      deleted = (first?.order_id ?? 0) + 1;
      await sandboxSend(sandbox, 'DELETE', `/orders/${deleted}`);
    }
  }
  expect(parents).not.toContain(deleted);
  expect(said).toHaveLength(1);
  expect(said[0]).toMatch(/order-payments: walked 6 orders in \d+ requests .*; 1 deleted meanwhile, 5 read/);
});
