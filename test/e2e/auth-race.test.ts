/**
 * Cron jobs that start together on an expired access token: Keap's refresh tokens rotate, so if
 * two processes refreshed, one would be left with a dead token. Exactly one refresh must reach the
 * token endpoint, and every process must succeed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authEnv, oauthLogin, readStoredSecret, registerStoredSecrets } from './auth-support.js';
import { run, startSandboxProcess, type SandboxProcess } from './cli.js';

// Long enough that the refreshed token outlives the 8 runs even on a busy machine, short enough to wait out.
const LIFETIME_S = 8;
let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--seed', '9', '--token-lifetime', String(LIFETIME_S)]);
});
afterAll(() => sandbox?.stop());

it('eight processes on an expired token make one refresh request, and all eight succeed', async () => {
  const env = authEnv(sandbox);
  const dir = env.INFUSIONSOFT_CONFIG_DIR as string;
  const login = await oauthLogin(env);
  expect(login.code, login.stderr).toBe(0);
  const stored = readStoredSecret(dir) as { expiresAt: number; accessToken: string };
  // Wait until the sandbox no longer accepts the access token (it expired on both sides).
  while (Date.now() <= stored.expiresAt + 200) await new Promise((r) => setTimeout(r, 200));
  const refused = await fetch(`${sandbox.apiUrl}/account/profile`, { headers: { authorization: `Bearer ${stored.accessToken}` } });
  expect(refused.status).toBe(401);

  const before = await sandbox.stats();
  const runs = await Promise.all(Array.from({ length: 8 }, () => run(['--verbose', 'api', 'GET', '/account/profile'], { env })));
  registerStoredSecrets(dir);
  for (const result of runs) {
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).email).toBe('owner@sandbox.example.com');
  }
  const after = await sandbox.stats();
  expect(after.refreshes - before.refreshes).toBe(1);
  expect(after.tokensIssued - before.tokensIssued).toBe(1);
  expect((readStoredSecret(dir) as { accessToken: string }).accessToken).not.toBe(stored.accessToken);
}, 60_000);
