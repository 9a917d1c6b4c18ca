/**
 * The sandbox's `write-5xx` fault: a write is answered 502, 503 or 504 without acting, as Keap's
 * gateway may; reads are untouched, so a test can watch a client look up what it tried to create.
 */
import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/sandbox/faults.js';
import { sandboxGet, startTestSandbox } from '../support/cli.js';

describe('sandbox faults: write-5xx', () => {
  it('answers every write with a gateway error and changes nothing; reads are answered', async () => {
    expect(parseFaults('write-5xx:0.05')).toEqual([{ kind: 'write-5xx', rate: 0.05 }]);
    const sandbox = await startTestSandbox({ seed: 4, faults: 'write-5xx:1' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${sandbox.apiUrl}/tags`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `refused ${i}` }),
        });
        await response.text();
        statuses.push(response.status);
      }
      expect(statuses.every((status) => [502, 503, 504].includes(status))).toBe(true);
      const found = (await sandboxGet(sandbox, `/tags?name=${encodeURIComponent('refused 0')}`)) as { tags: unknown[] };
      expect(found.tags).toEqual([]);
      expect((await sandbox.stats()).faults).toEqual({ 'write-5xx': 6 });
    } finally {
      await sandbox.stop();
    }
  });
});
