/**
 * `sync contacts --include tags` keeps `contacts__tags` current (issue 18, item 4): applying or
 * removing a tag need not move a contact's `last_updated`, so an incremental run, which reads only
 * contacts whose update time moved, rebuilds the tags table from the tag lists every run. Checked
 * with the sqlite3 shell against an export of the same contacts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { ndjsonRecords, sqliteRows, tempFolder } from './support.js';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 60 } });
});
afterAll(async () => {
  await sandbox.stop();
});

/** Every (contact, tag id) pair, as an export with --include tags writes them. */
async function exportedPairs(): Promise<string[]> {
  const run = await runCli(['export', 'contacts', '--include', 'tags'], { env: sandbox.env });
  expect(run.code, run.stderr).toBe(0);
  return ndjsonRecords(run.stdout)
    .flatMap((c) => (c.tags as Array<{ tag: { id: number } }>).map((t) => `${c.id}:${t.tag.id}`))
    .sort();
}

const tablePairs = (db: string) =>
  sqliteRows(db, 'SELECT _parent_id AS id, tag_id FROM contacts__tags')
    .map((r) => `${r.id}:${r.tag_id}`)
    .sort();

it('a tag applied and one removed without moving last_updated show after the next incremental sync', async () => {
  const db = join(tempFolder('sync-tags-'), 'keap.db');
  const sync = () => runCli(['sync', 'contacts', '--include', 'tags', '--to', `sqlite:${db}`], { env: sandbox.env });
  const first = await sync();
  expect(first.code, first.stderr).toBe(0);
  expect(tablePairs(db)).toEqual(await exportedPairs());

  const tags = (await sandboxGet(sandbox, '/tags?limit=1000')) as { tags: Array<{ id: number }> };
  const tagId = tags.tags[0]?.id as number;
  const rows = sqliteRows(
    db,
    'SELECT c.id, group_concat(t.tag_id) AS tags FROM contacts c LEFT JOIN contacts__tags t ON t._parent_id = c.id GROUP BY c.id',
  );
  const hasTag = (r: Record<string, unknown>, id: number) =>
    String(r.tags ?? '')
      .split(',')
      .includes(String(id));
  const untagged = rows.find((r) => !hasTag(r, tagId)) as Record<string, unknown>;
  const tagged = rows.find((r) => r.id !== untagged.id && r.tags !== null) as Record<string, unknown>;
  const removed = Number(String(tagged.tags).split(',')[0]);
  const before = (await sandboxGet(sandbox, `/contacts/${untagged.id}`)) as { last_updated: string };
  await sandboxSend(sandbox, 'POST', `/contacts/${untagged.id}/tags`, { tagIds: [tagId] });
  await sandboxSend(sandbox, 'DELETE', `/contacts/${tagged.id}/tags/${removed}`);
  const after = (await sandboxGet(sandbox, `/contacts/${untagged.id}`)) as { last_updated: string };
  expect(after.last_updated).toBe(before.last_updated); // the update time did not move

  const second = await sync();
  expect(second.code, second.stderr).toBe(0);
  // Neither contact was written again (their update times did not move), yet the table has both changes.
  expect(second.stderr).toMatch(/contacts: 0 inserted, 0 updated, \d+ unchanged/);
  const pairs = tablePairs(db);
  expect(pairs).toContain(`${untagged.id}:${tagId}`);
  expect(pairs).not.toContain(`${tagged.id}:${removed}`);
  expect(pairs).toEqual(await exportedPairs());
  expect(second.stderr).toMatch(/contacts__tags rebuilt from the tags lists \(\d+ rows\)/);
  // The rebuilt rows carry what the per-record read gives: the tag's name and when it was applied.
  const [row] = sqliteRows(db, `SELECT tag_name, date_applied FROM contacts__tags WHERE _parent_id = ${untagged.id} AND tag_id = ${tagId}`);
  expect(row?.tag_name).toBeTypeOf('string');
  expect(Date.parse(String(row?.date_applied))).not.toBeNaN();
});
