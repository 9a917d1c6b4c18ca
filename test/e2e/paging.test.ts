/**
 * Paging that needs the sandbox as a process of its own: a prefetched page cancelled past the end
 * must have reached the sandbox to be counted there, which a server in the same process may not
 * have read yet. The rest of paging runs in-process, in test/commands/export-paging.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, startSandboxProcess, tempDir } from './cli.js';

describe('--verbose', () => {
  it('lists every request, prefetched pages past the end included, as many as the summary and the sandbox count', async () => {
    const sandbox = await startSandboxProcess(['--latency', '100']);
    try {
      const result = await run(['export', 'contacts', '--page-size', '40', '-o', join(tempDir(), 'c.ndjson'), '--verbose'], {
        env: sandbox.env,
      });
      expect(result.code, result.stderr).toBe(0);
      const listed = result.stderr.split('\n').filter((line) => /^(GET|POST|PUT|PATCH|DELETE) \/\S* -> /.test(line));
      // Pages past the end were asked for ahead of time and abandoned: they are listed too.
      const cancelled = listed.filter((line) => / -> cancelled \(\d+ ms\)$/.test(line)).length;
      expect(cancelled).toBeGreaterThan(0);
      const summary = Number(/, (\d+) requests?/.exec(result.stderr)?.[1]);
      expect(listed).toHaveLength(summary);
      // A request cancelled in flight may be cut off before the server has read it: the sandbox
      // counts every answered request and at most all of the cancelled ones.
      const stats = await sandbox.stats();
      const served = Object.values(stats.requests).reduce((a, b) => a + b, 0);
      expect(served).toBeLessThanOrEqual(summary);
      expect(served).toBeGreaterThanOrEqual(summary - cancelled);
    } finally {
      await sandbox.stop();
    }
  });
});
