/**
 * Paging end to end (DESIGN.md section 3, "Paging"): the CLI in-process (runCli) against sandboxes
 * on loopback whose data changes mid-run or whose paging is broken on purpose (faults
 * `ignore-offset`, `stuck-next`). Each test has its own sandbox, since some delete records.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

/** Every living contact id, read straight from the sandbox (not through our client). */
async function livingIds(sandbox: TestSandbox): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += 1000) {
    const body = (await sandboxGet(sandbox, `/contacts?limit=1000&offset=${offset}`)) as { contacts: Array<{ id: number }> };
    ids.push(...body.contacts.map((c) => c.id));
    if (body.contacts.length < 1000) return ids;
  }
}

const ndjsonIds = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: number }).id);

/** Calls `act` once, as soon as the export logged (--verbose) that its first page of contacts arrived. */
function afterFirstPage(act: () => Promise<unknown>) {
  let fired: Promise<unknown> | undefined;
  const onStderr = (chunk: string) => {
    if (!fired && /GET \/contacts\?\S*offset=0\S* -> 200/.test(chunk)) fired = act();
  };
  return { onStderr, done: () => fired };
}

const deleteContacts = (sandbox: TestSandbox, ids: number[]) =>
  Promise.all(ids.map((id) => sandboxSend(sandbox, 'DELETE', `/contacts/${id}`)));

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('paging while the account changes', () => {
  it('contacts deleted mid-export: every living contact is exported once, and the bookmark moves', async () => {
    const sandbox = await startTestSandbox({ counts: { contacts: 2000 }, latencyMs: 50 });
    try {
      const dir = tempDir();
      const out = join(dir, 'contacts.ndjson');
      const state = join(dir, 's.json');
      // More low ids than pages overlap by, so the export must notice and re-read.
      const trigger = afterFirstPage(() => deleteContacts(sandbox, range(2, 8)));
      const result = await runCli(['export', 'contacts', '--page-size', '20', '--state', state, '-o', out, '--verbose'], {
        env: sandbox.env,
        onStderr: trigger.onStderr,
      });
      await trigger.done();
      expect(result.code, result.stderr).toBe(0);
      // The deletions landed mid-run: a page stopped lining up and was re-read.
      expect(result.stderr).toMatch(/the page at offset \d+ does not line up with the one before; re-reading offset \d+/);
      const exported = ndjsonIds(out);
      expect(new Set(exported).size, 'no contact twice').toBe(exported.length);
      const living = await livingIds(sandbox);
      expect(living).toHaveLength(2000 - 6);
      expect(exported.filter((id) => living.includes(id))).toEqual(living);
      expect(JSON.stringify(JSON.parse(readFileSync(state, 'utf8')))).toMatch(/contacts/);
      // Every page asked for the stable order.
      expect(result.stderr).not.toMatch(/GET \/contacts\?(?!\S*order=id)\S*offset/);
    } finally {
      await sandbox.stop();
    }
  });

  it('when continuity cannot be proven the export fails: exit 1, no output file, the bookmark kept', async () => {
    const sandbox = await startTestSandbox({ counts: { contacts: 3000 }, latencyMs: 100 });
    try {
      const dir = tempDir();
      const state = join(dir, 's.json');
      const first = await runCli(['export', 'contacts', '--state', state, '-o', join(dir, 'first.ndjson')], { env: sandbox.env });
      expect(first.code, first.stderr).toBe(0);
      const bookmark = readFileSync(state, 'utf8');

      // A hundred contacts before the export's place vanish while pages of 10 are read: more than the
      // overlap and the re-reads can cover, wherever the export is when they land.
      const out = join(dir, 'contacts.ndjson');
      const trigger = afterFirstPage(() => deleteContacts(sandbox, range(1, 101)));
      const result = await runCli(['export', 'contacts', '--full-refresh', '--page-size', '10', '--state', state, '-o', out, '--verbose'], {
        env: sandbox.env,
        onStderr: trigger.onStderr,
      });
      await trigger.done();
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/paging \/contacts lost its place: the page at offset \d+ shares no record with the page before it/);
      expect(result.stderr).toMatch(new RegExp(`nothing was written to ${out}; the bookmark in ${state} was kept`));
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['first.ndjson', 's.json']);
      expect(readFileSync(state, 'utf8')).toBe(bookmark);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('overlapping pages and --max', () => {
  it('--max reached on a page that repeats a few records still counts as cut short (bookmark not moved)', async () => {
    const sandbox = await startTestSandbox();
    try {
      const dir = tempDir();
      const state = join(dir, 's.json');
      const out = join(dir, 'c.ndjson');
      // Pages of 10 overlap by 3: the second page brings 7 new records, exactly what --max still wants.
      const result = await runCli(['export', 'contacts', '--page-size', '10', '--max', '17', '--state', state, '-o', out], {
        env: sandbox.env,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(ndjsonIds(out)).toEqual(range(1, 18));
      expect(result.stderr).toMatch(/stopped at --max 17/);
      expect(existsSync(state)).toBe(false);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('paging always ends', () => {
  it('against an API that ignores offset, export and api --paginate stop with a clear error after a few requests', async () => {
    const sandbox = await startTestSandbox({ faults: 'ignore-offset:1' });
    try {
      const dir = tempDir();
      const out = join(dir, 'contacts.ndjson');
      const exported = await runCli(['export', 'contacts', '--page-size', '10', '-o', out], { env: sandbox.env });
      expect(exported.code, exported.stderr).toBe(1);
      expect(exported.stderr).toMatch(
        /paging \/contacts stopped: the page at offset 7 holds only records already read, so the API seems to ignore offset/,
      );
      expect(exported.stderr).toMatch(/nothing was written to/);
      expect(existsSync(out)).toBe(false);

      const raw = await runCli(['api', 'GET', '/contacts?limit=1', '--paginate'], { env: sandbox.env });
      expect(raw.code, raw.stderr).toBe(1);
      expect(raw.stderr).toMatch(/paging \/contacts stopped: the page at offset 1 holds only records already read/);
      const stats = await sandbox.stats();
      // The model, then at most the first page and one prefetch window per run.
      expect(stats.requests['GET /contacts']).toBeLessThanOrEqual(2 * (1 + 4));
    } finally {
      await sandbox.stop();
    }
  });

  it('a next link that does not move forward stops the export with a clear error', async () => {
    const sandbox = await startTestSandbox({ faults: 'stuck-next:1' });
    try {
      const result = await runCli(['export', 'contacts', '--page-size', '10', '--format', 'csv'], { env: sandbox.env });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/after a full page at offset 0, the API's next link points at offset 0, so paging would never end/);
      expect(result.stderr).toMatch(/the output on stdout is incomplete/);
    } finally {
      await sandbox.stop();
    }
  });
});
