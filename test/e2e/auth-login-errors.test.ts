/**
 * `auth login` when something goes wrong, end to end against a sandbox process: a refused client
 * secret, a spent code, a browser that cannot be opened, and the environment the browser gets.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './auth-support.js';
import { registerSecret, run, startRun, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--seed', '15']);
});
afterAll(() => sandbox?.stop());

const loggedIn = async (env: Record<string, string | undefined>) => (await run(['auth', 'status', '--json'], { env })).code === 0;

describe('a refused login says what to do', () => {
  it('a wrong client secret (invalid_client) says to check it; off a terminal the login ends, storing nothing', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: 'not-the-secret' };
    const login = startRun(['auth', 'login', '--no-browser'], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    expect((await fetch(await pressOnAuthorizePage(url as string))).status).toBe(200);
    const result = await login.done;
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/invalid_client\): check the client secret of app sandbox-client-id/);
    expect(result.stderr).toMatch(/client secret from Keap's developer portal/);
    expect(await loggedIn(env)).toBe(false);
  });

  it('--refresh-token with a wrong client secret says to check the secret', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: 'not-the-secret' };
    const result = await run(['auth', 'login', '--refresh-token'], { env, input: 'a-refresh-token-from-the-portal\n' });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/invalid_client\): check the client secret of app sandbox-client-id/);
  });

  it('a code that was used already says to start the login again', async () => {
    const env = authEnv(sandbox);
    const redirect = 'https://app.example.com/keap/callback';
    const login = startRun(['auth', 'login', '--redirect-uri', redirect], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    const landed = await pressOnAuthorizePage(url as string);
    // Someone (another tab, a retried paste) spends the code first.
    const spent = await fetch(`${sandbox.origin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code') as string,
        redirect_uri: redirect,
        client_id: SANDBOX_CLIENT_ID,
        client_secret: SANDBOX_CLIENT_SECRET,
      }).toString(),
    });
    expect(spent.status).toBe(200);
    for (const value of Object.values((await spent.json()) as Record<string, unknown>))
      if (typeof value === 'string') registerSecret(value);
    login.type(landed.toString());
    const result = await login.done;
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/refused the authorization code .*used already or is too old/);
    expect(result.stderr).toMatch(/start the login again: infusionsoft auth login/);
    expect(await loggedIn(env)).toBe(false);
  });
});

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

  it('with no display and no --no-browser: says no browser could be opened, shows the address, takes a paste', async () => {
    const env = { ...authEnv(sandbox), BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, WSL_DISTRO_NAME: undefined };
    const login = startRun(['auth', 'login'], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    await login.waitForStderr(/paste the address you land on/);
    const landed = await pressOnAuthorizePage(url as string);
    // The browser was elsewhere: its address is pasted, as over SSH.
    login.type(landed.toString());
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: no browser could be opened \(no display: DISPLAY and WAYLAND_DISPLAY are not set\)/);
    expect(result.stderr).not.toMatch(/Open(ed|ing) the browser/);
  });
});
