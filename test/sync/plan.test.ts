/**
 * `sync --plan` (issue 18, item 4): the cost of each resource's read (pages, the tag lists a sync
 * reads, the --detect-deletes sweep), the time and the quota share, after the probes alone; a
 * database that is not there is not created (a first sync), and nothing is written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { totalRequests } from '../support/stats.js';
import { tempFolder } from './support.js';

const CONTACTS = 2500;
const TAGS = 6;
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 11, counts: { contacts: CONTACTS, tags: TAGS }, limits: 'oauth,quota=50000' });
});
afterAll(async () => {
  await sandbox.stop();
});

it('prints pages, the tag lists and the sweep of contacts after only the probes, and writes nothing', async () => {
  const db = join(tempFolder('sync-plan-'), 'keap.db');
  const before = await totalRequests(sandbox);
  const args = ['sync', 'contacts', '--include', 'tags', '--detect-deletes', '--to', `sqlite:${db}`, '--plan'];
  const json = await runCli([...args, '--json'], { env: sandbox.env });
  expect(json.code, json.stderr).toBe(0);
  const cost = JSON.parse(json.stdout);
  // The sandbox's contacts: CONTACTS plus the account's own; three pages of 1,000 either way.
  expect(cost.resources[0]).toMatchObject({ resource: 'contacts', pages: 3, sweep: 3, inverse: { field: 'tags' } });
  const contacts = cost.resources[0];
  expect(contacts.records).toBeGreaterThanOrEqual(CONTACTS);
  expect(contacts.inverse.groups).toBeGreaterThanOrEqual(TAGS);
  // The tag lists: the tag list's page plus at least one request per tag; no request per contact.
  expect(contacts.gathered).toBeGreaterThanOrEqual(1 + contacts.inverse.groups);
  expect(contacts.gathered).toBeLessThan(contacts.records);
  expect(contacts.requests).toBe(contacts.pages + contacts.gathered + contacts.sweep);
  expect(cost.remaining).toBeGreaterThan(49_000);
  // Only the probes: the list's first page, the tag list, one member page per tag.
  expect((await totalRequests(sandbox)) - before).toBe(cost.probes);
  expect(cost.probes).toBe(2 + contacts.inverse.groups);
  expect(existsSync(db)).toBe(false);

  const text = await runCli(args, { env: sandbox.env });
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(
    /^contacts: first sync, every record: [\d,]+ records in 3 pages, tags from \d+ groups' member lists .*--detect-deletes sweep 3 requests: [\d,]+ requests\n/,
  );
  expect(text.stdout).toMatch(/\ntotal: [\d,]+ requests, \d+ s at 1,500 a minute\n/);
  expect(text.stdout).toMatch(/\ndaily quota: 0\.\d% of the [\d,]+ requests left\n/);
  expect(existsSync(db)).toBe(false);
});
