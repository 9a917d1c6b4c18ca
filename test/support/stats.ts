import type { SandboxStats } from './cli.js';

/** Every request the sandbox has answered so far, whatever its path: "nothing was sent" checks compare two of these. */
export async function totalRequests(sandbox: { stats(): Promise<SandboxStats> }): Promise<number> {
  return Object.values((await sandbox.stats()).requests).reduce((sum, n) => sum + n, 0);
}
