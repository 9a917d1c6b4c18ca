/**
 * `auth login` and the API origin (issue 14, items 2 and 7), in-process (the login reads the
 * stdin it is given, `IO.prompter`): Keap's token endpoint is never paired with another API (or
 * the reverse), and a login over an existing profile says it replaces it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authEnv, run } from '../auth/in-process.js';
import { startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 14 });
});
afterAll(() => sandbox?.stop());

describe('auth login pairs the API and the token endpoint', () => {
  it('an API that is not Keap with Keap token URL is exit 2 before anything is read or sent', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_TOKEN_URL: undefined };
    const result = await run(['auth', 'login', '--refresh-token', '--insecure-storage'], { env, input: 'not-a-real-refresh-token\n' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(sandbox.origin);
    expect(result.stderr).toContain('https://api.infusionsoft.com');
    expect(existsSync(join(env.INFUSIONSOFT_CONFIG_DIR as string, 'config.json'))).toBe(false);
  });

  it("Keap's API with another token endpoint is exit 2 too, and the token endpoint is not called", async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_API_URL: undefined };
    const before = await sandbox.stats();
    const result = await run(['auth', 'login', '--refresh-token', '--insecure-storage'], { env, input: 'not-a-real-refresh-token\n' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${sandbox.origin}/token`);
    expect((await sandbox.stats()).requests['POST /token'] ?? 0).toBe(before.requests['POST /token'] ?? 0);
  });
});

describe('auth login over an existing profile', () => {
  it('says that it replaces the stored login', async () => {
    const env = authEnv(sandbox);
    const first = await run(['auth', 'login', '--with-token', '--insecure-storage'], { env, input: `${sandbox.token}\n` });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/replaces/);
    const second = await run(['auth', 'login', '--with-token', '--insecure-storage'], { env, input: `${sandbox.token}\n` });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/replaces the login stored in profile "default"/);
  });
});
