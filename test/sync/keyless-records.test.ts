/**
 * A record that comes without its key. Keap's spec declares the items of `GET /tasks` and
 * `GET /appointments` without `id` (Prism's mock answers so); a sync must not make a key up for
 * them. Before, SQLite filled the NULL key with a rowid of its own, and the hash-mode deletion
 * pass then marked every such row deleted in the same run, exit 0. A proxy in front of the
 * sandbox drops `id` from the tasks list, as the spec's `TaskList` shape has it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { sqliteRows, startRewritingProxy, tempFolder } from './support.js';

let sandbox: TestSandbox;
let proxy: Awaited<ReturnType<typeof startRewritingProxy>>;
let proxyUrl: string;

function withoutTaskIds(path: string, body: Record<string, unknown>): Record<string, unknown> {
  if (!path.endsWith('/tasks') || !Array.isArray(body.tasks)) return body;
  return { ...body, tasks: (body.tasks as Array<Record<string, unknown>>).map(({ id: _id, ...task }) => task) };
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { tasks: 5 } });
  proxy = await startRewritingProxy(sandbox, withoutTaskIds);
  proxyUrl = proxy.apiUrl;
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.stop();
});

it('tasks without their id fail the resource, write no row, and the other resources still sync', async () => {
  const db = join(tempFolder('sync-keyless-'), 'keap.db');
  const run = await runCli(['sync', 'tasks', 'tags', '--to', `sqlite:${db}`], { env: { ...sandbox.env, INFUSIONSOFT_API_URL: proxyUrl } });
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toContain('tasks: GET /tasks sent a record without its key (id)');
  // No tasks row at all (the page failed before its table was made, so a missing table counts too).
  const tasksTable = sqliteRows(db, "SELECT name FROM sqlite_master WHERE name = 'tasks'");
  if (tasksTable.length > 0) expect(sqliteRows(db, 'SELECT count(*) AS n FROM tasks')).toEqual([{ n: 0 }]);
  expect(sqliteRows(db, 'SELECT count(*) AS n FROM tags')).toEqual([{ n: 30 }]);
});
