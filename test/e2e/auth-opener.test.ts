/**
 * The system's browser opener with the built binary: the browser it starts (a script named by
 * BROWSER, as xdg-open runs it) inherits the process's environment, which must hold no
 * INFUSIONSOFT_ variable. The rest of the login's failures run in-process
 * (test/commands/auth-login-errors.test.ts).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets, SANDBOX_CLIENT_SECRET } from './auth-support.js';
import { registerSecret, startRun, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--seed', '15']);
});
afterAll(() => sandbox?.stop());

describe('the browser', () => {
  it('gets no INFUSIONSOFT_ variable in its environment', async () => {
    const dir = tempDir('infusionsoft-browser-');
    const dump = join(dir, 'env.txt');
    // A browser as xdg-open runs it from BROWSER: it writes down its environment and the address.
    const browser = join(dir, 'fake-browser');
    writeFileSync(browser, `#!/bin/sh\nenv > '${dump}'\nprintf '%s' "$1" > '${dump}.url'\n`);
    chmodSync(browser, 0o755);
    const token = `access-${Date.now()}`;
    const key = `key-${Date.now()}`;
    registerSecret(token);
    registerSecret(key);
    const env = {
      ...authEnv(sandbox),
      BROWSER: browser,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      INFUSIONSOFT_ACCESS_TOKEN: token,
      INFUSIONSOFT_API_KEY: key,
    };
    const login = startRun(['auth', 'login'], { env });
    await login.waitForStderr(/Opened the browser|Opening the browser/);
    const deadline = Date.now() + 10_000;
    while (!existsSync(`${dump}.url`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = readFileSync(`${dump}.url`, 'utf8');
    expect(url).toMatch(AUTHORIZE_URL);
    expect((await fetch(await pressOnAuthorizePage(url))).status).toBe(200);
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toMatch(/^PATH=/m);
    expect(seen).not.toMatch(/INFUSIONSOFT_/);
    expect(seen).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(seen).not.toContain(token);
  });
});
