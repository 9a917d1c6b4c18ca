/**
 * Ctrl-C during an import: the requests in flight finish, the journal and both reports are written,
 * the exit status is 130, and the same command with --resume sends only the rows not done.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { run, startRun, tempDir } from './cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 5 }, latencyMs: 150 });
});
afterAll(async () => {
  await sandbox?.stop();
});

const ROWS = 12;

async function posts(): Promise<number> {
  return (await sandbox.stats()).requests['POST /contacts'] ?? 0;
}

describe('import: Ctrl-C', () => {
  it('finishes the requests in flight, writes the journal and reports, exits 130; --resume does the rest', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.csv');
    const lines = ['email_addresses.EMAIL1.email,given_name'];
    for (let i = 1; i <= ROWS; i++) lines.push(`sigint-${i}@example.org,Lead ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['import', 'contacts', file, '--action', 'create', '--concurrency', '2'];

    const before = await posts();
    const live = startRun(args, { env: sandbox.env });
    const deadline = Date.now() + 20_000;
    while ((await posts()) - before < 3) {
      if (Date.now() > deadline) throw new Error('no writes arrived');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    live.child.kill('SIGINT');
    const stopped = await live.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/--resume/);
    const sent = (await posts()) - before;
    expect(sent).toBeLessThan(ROWS);

    // Every request that was sent got its answer: the results say created for exactly those rows.
    const results = parse(readFileSync(join(dir, 'leads.results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(results).toHaveLength(ROWS);
    expect(results.filter((r) => r._action === 'created')).toHaveLength(sent);
    expect(results.filter((r) => r._action === 'skipped')).toHaveLength(ROWS - sent);
    expect(existsSync(join(dir, 'leads.journal'))).toBe(true);

    const resumed = await run([...args, '--resume'], { env: sandbox.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await posts()) - before).toBe(ROWS);
    for (let i = 1; i <= ROWS; i++) {
      const found = (await sandboxGet(sandbox, `/contacts?email=sigint-${i}@example.org`)) as { contacts: unknown[] };
      expect(found.contacts).toHaveLength(1);
    }
    const final = parse(readFileSync(join(dir, 'leads.results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(final.map((r) => r._action)).toEqual(Array(ROWS).fill('created'));
  });
});

describe('import: from stdin', () => {
  it('reads piped rows (kept in a temporary file) and writes its reports in the current folder', async () => {
    const dir = tempDir();
    const csv = 'email_addresses.EMAIL1.email,given_name\npiped-1@example.org,Piped\npiped-2@example.org,Also piped\n';
    const result = await run(['import', 'contacts', '-', '--format', 'csv'], { env: sandbox.env, cwd: dir, input: csv });
    expect(result.code, result.stderr).toBe(0);
    const results = parse(readFileSync(join(dir, 'stdin.results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(results.map((r) => [r.given_name, r._action])).toEqual([
      ['Piped', 'created'],
      ['Also piped', 'created'],
    ]);
  });

  it('without --format, says how to name the format', async () => {
    const result = await run(['import', 'contacts', '-'], { env: sandbox.env, cwd: tempDir(), input: 'given_name\nx\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format/);
  });
});
