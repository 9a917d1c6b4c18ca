/**
 * The foundation's checks that need the built binary as a process: its exit statuses, and the
 * `sandbox` command serving as a process of its own. The rest is in-process, in
 * test/commands/foundation.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startSandboxProcess, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('exit statuses of the real binary', () => {
  it('unknown flag: exit 2', async () => {
    const result = await run(['export', 'contacts', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--colour'/);
  });

  it('no credentials at all: exit 4 saying how to provide them', async () => {
    const result = await run(['api', 'GET', '/contacts'], { env: { INFUSIONSOFT_API_URL: sandbox.apiUrl } });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/INFUSIONSOFT_API_KEY|--sandbox/);
  });
});

describe('sandbox command', () => {
  it('serves the number of records asked for, and refuses counts it cannot set', async () => {
    const small = await startSandboxProcess(['--contacts', '7', '--count', 'order=3']);
    try {
      const contacts = await run(['api', 'GET', '/contacts', '--paginate'], { env: small.env });
      expect((JSON.parse(contacts.stdout) as { count: number }).count).toBe(7);
      const orders = await run(['api', 'GET', '/orders', '--paginate'], { env: small.env });
      expect((JSON.parse(orders.stdout) as { count: number }).count).toBe(3);
    } finally {
      await small.stop();
    }
    const unknown = await run(['sandbox', '--count', 'widgets=5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown resource "widgets"/);
    const fixed = await run(['sandbox', '--count', 'countries=5']);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toMatch(/cannot be set/);
    const faults = await run(['sandbox', '--faults', 'meltdown:0.5']);
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/--faults/);
  });
});
