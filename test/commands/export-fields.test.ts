/**
 * `--fields` checked against what CSV can show (issue 15, item 7): a path into a list without a
 * discriminator (`order_items.name`) has no CSV column, since the list is one JSON cell; NDJSON
 * projects the same path. In-process against the sandbox.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const requestsSoFar = () => totalRequests(sandbox);

it.each(['order_items.name', 'order_items.0.name'])('CSV --fields id,%s: exit 2 before any request, naming what works', async (path) => {
  const before = await requestsSoFar();
  const result = await runCli(['export', 'orders', '--format', 'csv', '--fields', `id,${path}`], { env: sandbox.env });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`"${path}" cannot be a CSV column: order_items is a list, written as one JSON cell`);
  expect(result.stderr).toMatch(/--fields order_items .* or --format ndjson/);
  expect(await requestsSoFar()).toBe(before);
});

it('NDJSON --fields id,order_items.name projects the names of each order item', async () => {
  const result = await runCli(['export', 'orders', '--max', '3', '--fields', 'id,order_items.name'], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  const first = JSON.parse(result.stdout.split('\n')[0]!) as { id: number; order_items: Array<Record<string, unknown>> };
  expect(first.order_items.length).toBeGreaterThan(0);
  for (const item of first.order_items) expect(Object.keys(item)).toEqual(['name']);
});

it('CSV --fields order_items gives the whole list in one JSON cell', async () => {
  const result = await runCli(['export', 'orders', '--max', '2', '--format', 'csv', '--fields', 'id,order_items'], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.split('\n')[0]).toBe('id,order_items');
  expect(result.stdout.split('\n')[1]).toMatch(/^\d+,"\[\{/);
});
