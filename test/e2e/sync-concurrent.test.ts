/**
 * Two syncs into one database started at once never interleave (issue 18, item 3): the second
 * waits for the first's lock, or, past `--lock-wait`, says which process holds it, with exit 1.
 * The built binaries against a slow sandbox process; the tables read with the sqlite3 shell.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, type SandboxProcess, startSandboxProcess, tempDir } from './cli.js';

let slow: SandboxProcess;
beforeAll(async () => {
  slow = await startSandboxProcess(['--latency', '60', '--contacts', '40']);
});
afterAll(async () => {
  await slow?.stop();
});

const count = (file: string) => Number(execFileSync('sqlite3', [file, 'SELECT count(*) FROM contacts'], { encoding: 'utf8' }).trim());

it('the second of two syncs started at once waits for the first, or names it past --lock-wait', async () => {
  const db = join(tempDir(), 'keap.db');
  const args = ['sync', 'contacts', '--page-size', '5', '--to', `sqlite:${db}`];
  const [a, b] = await Promise.all([run(args, { env: slow.env }), run(args, { env: slow.env })]);
  expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
  // One inserted every contact; the other, run after it, found them all unchanged but the boundary.
  const inserted = [a, b].map((r) => Number(/contacts: (\d+) inserted/.exec(r.stderr)?.[1]));
  expect(inserted.sort((x, y) => x - y)).toEqual([0, 40]);
  expect(count(db)).toBe(40);

  const fresh = join(tempDir(), 'other.db');
  const quick = ['sync', 'contacts', '--page-size', '5', '--lock-wait', '0', '--to', `sqlite:${fresh}`];
  const [c, d] = await Promise.all([run(quick, { env: slow.env }), run(quick, { env: slow.env })]);
  const codes = [c.code, d.code].sort();
  expect(codes).toEqual([0, 1]);
  const refused = c.code === 1 ? c : d;
  expect(refused.stderr).toMatch(/error: sqlite:.*other\.db is in use by another run \(process \d+\); waited 0 s/);
  expect(count(fresh)).toBe(40);
}, 60_000);
