/**
 * A sync killed at any point leaves the database as it was after a whole committed page, and the
 * next run continues from there (issue 18, item 3): SIGKILL at three points of a run (two in the
 * contacts, paged by id, one in the notes, compared by content), with contacts updated out of id
 * order between the kills, then runs to the end. The database then equals one a sync that was
 * never killed wrote, table by table, `_synced_at` aside. The built binary against a slow sandbox
 * process; the tables read with the sqlite3 shell.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, type SandboxProcess, sandboxSend, startSandboxProcess, tempDir } from './cli.js';

let slow: SandboxProcess;
beforeAll(async () => {
  slow = await startSandboxProcess(['--latency', '40', '--contacts', '60', '--count', 'notes=30']);
});
afterAll(async () => {
  await slow?.stop();
});

const rows = (file: string, sql: string): Array<Record<string, unknown>> => {
  const out = execFileSync('sqlite3', ['-json', file, sql], { encoding: 'utf8' });
  return out.trim() ? (JSON.parse(out) as Array<Record<string, unknown>>) : [];
};

/** Every table but the state (its bookmark and times are the run's own), each row without `_synced_at`. */
function dump(file: string): Record<string, unknown[]> {
  const tables = rows(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '_infusionsoft_state' ORDER BY name").map(
    (r) => String(r.name),
  );
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const columns = rows(file, `PRAGMA table_info("${table}")`)
      .map((c) => String(c.name))
      .filter((c) => c !== '_synced_at');
    const list = columns.map((c) => `"${c}"`).join(', ');
    out[table] = rows(file, `SELECT ${list} FROM "${table}" ORDER BY ${list}`);
  }
  return out;
}

const served = async (path: string) => (await slow.stats()).requests[`GET ${path}`] ?? 0;

/** Runs a sync and SIGKILLs it once `ready` says so; resolves with its exit. */
function killWhen(args: string[], ready: () => Promise<boolean>) {
  return run(args, {
    env: slow.env,
    onStart: (child) => {
      void (async () => {
        const started = Date.now();
        while (child.exitCode === null && child.signalCode === null) {
          if ((await ready().catch(() => false)) || Date.now() - started > 20_000) {
            child.kill('SIGKILL');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
    },
  });
}

it('SIGKILL at three points, then clean runs: the same tables as a sync never killed', async () => {
  const dir = tempDir();
  const reference = join(dir, 'reference.db');
  const killed = join(dir, 'killed.db');
  const args = (file: string) => ['sync', 'contacts', 'notes', '--page-size', '5', '--to', `sqlite:${file}`];
  const first = await run(args(reference), { env: slow.env });
  expect(first.code, first.stderr).toBe(0);

  // 1: a few contact pages in.
  const before1 = await served('/contacts');
  const kill1 = await killWhen(args(killed), async () => (await served('/contacts')) >= before1 + 4);
  expect(kill1.signal).toBe('SIGKILL');
  const [held] = rows(killed, 'SELECT count(*) AS n, max(id) AS last FROM contacts');
  const committed = Number(held?.n);
  expect(committed).toBeGreaterThan(0);
  expect(committed).toBeLessThan(60);
  // Whole pages only, in id order (the sandbox's ids are 1..60): no gap, and the cursor ends where the rows do.
  expect(Number(held?.last)).toBe(committed);
  const [cursor] = rows(killed, "SELECT run_started, run_position FROM _infusionsoft_state WHERE resource = 'contacts'");
  expect(cursor?.run_started).not.toBeNull();
  const position = JSON.parse(String(cursor?.run_position)) as { position: { ids: string[] } };
  expect(Math.max(...position.position.ids.map((id) => Number(id.replace(/\D+/g, ''))))).toBe(committed);

  // Out of id order: one contact already committed, one not yet read.
  await sandboxSend(slow, 'PATCH', '/contacts/2', { given_name: 'Edited-Low' });
  await sandboxSend(slow, 'PATCH', '/contacts/58', { given_name: 'Edited-High' });

  // 2: further into the contacts, continuing from the cursor.
  const before2 = await served('/contacts');
  const kill2 = await killWhen(args(killed), async () => (await served('/contacts')) >= before2 + 3);
  expect(kill2.signal).toBe('SIGKILL');
  expect(kill2.stderr).toContain('contacts: continuing the run stopped after a committed page');
  expect(Number(rows(killed, 'SELECT count(*) AS n FROM contacts')[0]?.n)).toBeGreaterThan(committed);
  await sandboxSend(slow, 'PATCH', '/contacts/1', { given_name: 'Edited-First' });

  // 3: in the notes (compared by content: the next run reads them whole).
  const before3 = await served('/notes');
  const kill3 = await killWhen(args(killed), async () => (await served('/notes')) >= before3 + 2);
  expect(kill3.signal).toBe('SIGKILL');

  const finished = await run(args(killed), { env: slow.env });
  expect(finished.code, finished.stderr).toBe(0);
  // A run that was never killed, on the same data, and the killed one's next run: the same tables.
  for (const file of [reference, killed]) {
    const again = await run(args(file), { env: slow.env });
    expect(again.code, again.stderr).toBe(0);
  }
  expect(rows(killed, 'SELECT given_name FROM contacts WHERE id IN (1, 2, 58) ORDER BY id').map((r) => r.given_name)).toEqual([
    'Edited-First',
    'Edited-Low',
    'Edited-High',
  ]);
  expect(dump(killed)).toEqual(dump(reference));
  expect(rows(killed, 'SELECT count(*) AS n FROM _infusionsoft_state WHERE run_started IS NOT NULL')).toEqual([{ n: 0 }]);
}, 120_000);
