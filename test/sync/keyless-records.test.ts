/**
 * A record that comes without its key. Keap's spec declares the items of `GET /tasks` and
 * `GET /appointments` without `id` (Prism's mock answers so); a sync must not make a key up for
 * them. Before, SQLite filled the NULL key with a rowid of its own, and the hash-mode deletion
 * pass then marked every such row deleted in the same run, exit 0. A proxy in front of the
 * sandbox drops `id` from the tasks list, as the spec's `TaskList` shape has it.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { sqliteRows, tempFolder } from './support.js';

let sandbox: TestSandbox;
let proxy: Server;
let proxyUrl: string;

function withoutTaskIds(path: string, body: Record<string, unknown>): Record<string, unknown> {
  if (!path.endsWith('/tasks') || !Array.isArray(body.tasks)) return body;
  return { ...body, tasks: (body.tasks as Array<Record<string, unknown>>).map(({ id: _id, ...task }) => task) };
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { tasks: 5 } });
  proxy = createServer(async (req, res) => {
    const target = new URL(req.url ?? '/', sandbox.origin);
    const answer = await fetch(target, {
      method: req.method ?? 'GET',
      headers: { authorization: String(req.headers.authorization ?? '') },
    });
    const headers = Object.fromEntries(
      [...answer.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(name)),
    );
    const text = await answer.text();
    const json = answer.headers.get('content-type')?.includes('json') && text;
    res.writeHead(answer.status, headers).end(json ? JSON.stringify(withoutTaskIds(target.pathname, JSON.parse(text))) : text);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${new URL(sandbox.apiUrl).pathname}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
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
