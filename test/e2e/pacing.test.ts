/** The built CLI paces itself to Keap's limits: a key against `sandbox --limits pat`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

const CONTACTS = 20;

describe('export with a key against --limits pat', () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => {
    sandbox = await startSandboxProcess(['--limits', 'pat', '--contacts', String(CONTACTS)]);
  });
  afterAll(() => sandbox?.stop());

  it('gathers tags for every contact without tripping the 5/s spike arrest', async () => {
    const out = join(tempDir(), 'contacts.ndjson');
    const result = await run(['export', 'contacts', '--include', 'tags', '--format', 'ndjson', '-o', out, '--no-progress'], {
      // The sandbox's printed token, sent as a key (X-Keap-API-Key), as a PAT or SAK would be.
      env: { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_API_KEY: sandbox.token },
    });
    expect(result.stderr).not.toMatch(/429|throttl/i);
    expect(result.code).toBe(0);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(CONTACTS);
    expect(records.every((r) => Array.isArray(r.tags))).toBe(true);

    const stats = await sandbox.stats();
    // One request per contact for its tags, plus the list: all of them under the windows.
    expect(stats.requests['GET /contacts/{id}/tags']).toBe(CONTACTS);
    expect(stats.throttled).toBe(0);
    for (const [name, window] of Object.entries(stats.windows)) {
      expect(window.refused, name).toBe(0);
      expect(window.peak, name).toBeLessThanOrEqual(window.limit);
    }
  });
});
