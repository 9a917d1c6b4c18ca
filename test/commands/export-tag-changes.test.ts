/**
 * Tag changes reach an incremental export (issue 15, item 2): applying or removing a tag does not
 * move a contact's last_updated (in Keap, and in the sandbox), so `--include tags --state` reads the
 * tag lists and writes the contacts whose memberships changed. In-process against the sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

interface Tagged {
  id: number;
  last_updated: string;
  tags: Array<{ tag: { id: number } }>;
}
const records = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Tagged);

it('a tag applied to one contact and removed from another: the next run writes both, with their tags as they are now', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const args = (out: string) => ['export', 'contacts', '--include', 'tags', '--state', state, '-o', join(dir, out)];
  const first = await runCli(args('first.ndjson'), { env: sandbox.env });
  expect(first.code, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/read \d+ tags memberships of \d+ groups in \d+ requests/);
  const all = records(readFileSync(join(dir, 'first.ndjson'), 'utf8'));
  const tags = (await sandboxGet(sandbox, '/tags?limit=1000')) as { tags: Array<{ id: number }> };
  const tagId = tags.tags[0]!.id;
  const untagged = all.find((r) => !r.tags.some((t) => t.tag.id === tagId))!;
  const tagged = all.find((r) => r.id !== untagged.id && r.tags.length > 0)!;
  const removed = tagged.tags[0]!.tag.id;

  await sandboxSend(sandbox, 'POST', `/contacts/${untagged.id}/tags`, { tagIds: [tagId] });
  await sandboxSend(sandbox, 'DELETE', `/contacts/${tagged.id}/tags/${removed}`);
  const after = (await sandboxGet(sandbox, `/contacts/${untagged.id}`)) as { last_updated: string };
  expect(after.last_updated).toBe(untagged.last_updated); // the update time did not move

  const second = await runCli(args('second.ndjson'), { env: sandbox.env });
  expect(second.code, second.stderr).toBe(0);
  expect(second.stderr).toMatch(/2 contacts changed tags since the last run/);
  const written = records(readFileSync(join(dir, 'second.ndjson'), 'utf8'));
  const gained = written.find((r) => r.id === untagged.id);
  const lost = written.find((r) => r.id === tagged.id);
  expect(gained?.tags.map((t) => t.tag.id)).toContain(tagId);
  expect(lost).toBeDefined();
  expect(lost?.tags.map((t) => t.tag.id)).not.toContain(removed);

  const third = await runCli(args('third.ndjson'), { env: sandbox.env });
  expect(third.code, third.stderr).toBe(0);
  expect(third.stderr).toMatch(/0 contacts changed tags since the last run/);
});
