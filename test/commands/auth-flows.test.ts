/**
 * `auth` in-process against the sandbox, logging in the ways a user would (browser callback,
 * paste-back, a key, a refresh token), then using, refreshing and removing the stored login. What
 * needs a process stays spawned: Ctrl-C (test/e2e/auth-interrupt.test.ts), the real browser and
 * the real keychain (test/e2e/auth-browser.test.ts, auth-keychain*.test.ts).
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage, authorizeUrlFor, mintTokenPair } from '../auth/oauth-walk.js';
import {
  AUTHORIZE_URL,
  authEnv,
  oauthLogin,
  readStoredSecret,
  registerStoredSecrets,
  run,
  SANDBOX_CLIENT_SECRET,
  startRun,
} from '../auth/in-process.js';
import { startTestSandbox, type TestSandbox } from '../support/cli.js';
import { registerSecret } from '../support/record.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 8 });
});
afterAll(() => sandbox?.stop());

const status = async (env: Record<string, string | undefined>, extra: string[] = []) => {
  const result = await run([...extra, 'auth', 'status', '--json'], { env });
  return { ...result, json: result.code === 0 ? JSON.parse(result.stdout) : undefined };
};

describe('auth login in the browser (callback on 127.0.0.1)', () => {
  it('stores the login, names the user, and the next commands use it', async () => {
    const env = authEnv(sandbox);
    const before = await sandbox.stats();
    const login = await oauthLogin(env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/Logged in to Keap as .+ <user1@sandbox\.example\.com> \(sandbox\.infusionsoft\.com\), profile "default"/);
    // Said once: no keychain here (no D-Bus), and what authorising elsewhere does.
    expect(login.stderr.match(/no usable keychain/g)).toHaveLength(1);
    expect(login.stderr.match(/may end this login \(its refresh token\)/g)).toHaveLength(1);
    expect((await sandbox.stats()).tokensIssued).toBe(before.tokensIssued + 1);

    const { json } = await status(env);
    expect(json).toMatchObject({
      profile: 'default',
      source: 'file',
      kind: 'oauth',
      user: { email: 'user1@sandbox.example.com' },
      app: 'sandbox.infusionsoft.com',
      apiUrl: sandbox.apiUrl,
    });
    expect(Date.parse(json.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    expect(json.refreshTokenAgeDays).toBe(0);
    expect(json.quota['x-keap-product-quota-limit']).toMatch(/^\d+$/);

    const human = await run(['auth', 'status'], { env });
    expect(human.stdout).toMatch(/credential: +OAuth login, from the file \(0600\)/);
    expect(human.stdout).toMatch(/user: +.+ <user1@sandbox\.example\.com>/);

    // Another command, with no token in the environment: the stored login is used.
    const profile = await run(['api', 'GET', '/account/profile'], { env: { ...env, INFUSIONSOFT_API_URL: undefined } });
    expect(profile.code, profile.stderr).toBe(0);
    expect(JSON.parse(profile.stdout).email).toBe('owner@sandbox.example.com');
  });

  it('refuses a callback with the wrong state and still takes the right one', async () => {
    const env = authEnv(sandbox);
    const login = startRun(['auth', 'login', '--no-browser'], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    const landed = await pressOnAuthorizePage(url as string);
    const forged = new URL(landed);
    forged.searchParams.set('state', 'not-this-login');
    expect((await fetch(forged)).status).toBe(400);
    await login.waitForStderr(/wrong state and was refused/);
    expect((await fetch(landed)).status).toBe(200);
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
  });

  it('reads the client secret from stdin, never from a flag', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: undefined };
    const asFlag = await run(['auth', 'login', '--client-secret', SANDBOX_CLIENT_SECRET], { env });
    expect(asFlag.code).toBe(2);
    const login = startRun(['auth', 'login', '--no-browser'], { env });
    login.type(SANDBOX_CLIENT_SECRET);
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    await fetch(await pressOnAuthorizePage(url as string));
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(readStoredSecret(env.INFUSIONSOFT_CONFIG_DIR as string)).toMatchObject({ kind: 'oauth', clientSecret: SANDBOX_CLIENT_SECRET });
  });
});

describe('auth login with paste-back (an https redirect URI)', () => {
  const redirect = 'https://app.example.com/keap/callback';

  it('takes the address the browser landed on, and sends the same redirect URI to the token endpoint', async () => {
    const env = authEnv(sandbox);
    const login = startRun(['auth', 'login', '--redirect-uri', redirect], { env });
    const [, url] = await login.waitForStderr(/(http:\/\/127\.0\.0\.1:\d+\/app\/oauth\/authorize\?\S+)/);
    expect(new URL(url as string).searchParams.get('redirect_uri')).toBe(redirect);
    await login.waitForStderr(/paste the address you land on/);
    const landed = await pressOnAuthorizePage(url as string);
    expect(landed.origin + landed.pathname).toBe(redirect);
    login.type(landed.toString());
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect((await status(env)).json).toMatchObject({ kind: 'oauth', user: { email: 'user1@sandbox.example.com' } });
  });

  it('refuses a pasted address from another login (wrong state), and takes the next paste', async () => {
    const env = authEnv(sandbox);
    const login = startRun(['auth', 'login', '--redirect-uri', redirect], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    await login.waitForStderr(/paste the address you land on/);
    const other = await pressOnAuthorizePage(authorizeUrlFor(sandbox.origin, redirect, 'someone-elses-state'));
    login.type(other.toString());
    await login.waitForStderr(/state does not match this one\); refused; paste the address this login's browser tab landed on/);
    expect((await status(env)).code).toBe(4);
    login.type((await pressOnAuthorizePage(url as string)).toString());
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect((await status(env)).json).toMatchObject({ kind: 'oauth', user: { email: 'user1@sandbox.example.com' } });
  });

  it('refuses an http redirect URI that is not on this machine', async () => {
    const result = await run(['auth', 'login', '--redirect-uri', 'http://example.com/cb'], { env: authEnv(sandbox) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--redirect-uri must be https/);
  });
});

describe('keys for servers (--with-token)', () => {
  it('checks the key with one call, stores it, sends it as a key; refresh is a usage error', async () => {
    const env = authEnv(sandbox);
    const before = await sandbox.stats();
    const login = await run(['auth', 'login', '--with-token', '--insecure-storage'], { env, input: `${sandbox.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    // Chosen on purpose: no keychain warning.
    expect(login.stderr).not.toMatch(/no usable keychain/);
    const after = await sandbox.stats();
    expect(after.requests['GET /oauth/connect/userinfo']).toBe((before.requests['GET /oauth/connect/userinfo'] ?? 0) + 1);
    expect((await status(env)).json).toMatchObject({ kind: 'key', source: 'file', user: { email: 'user1@sandbox.example.com' } });
    expect(readStoredSecret(env.INFUSIONSOFT_CONFIG_DIR as string)).toEqual({ kind: 'key', key: sandbox.token });

    const exported = await run(['export', 'tags', '--format', 'ndjson', '--max', '2'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2);

    const refresh = await run(['auth', 'refresh'], { env });
    expect(refresh.code).toBe(2);
    expect(refresh.stderr).toMatch(/holds a key .* nothing to refresh/);
  });

  it('auth status shows the quota headers of the last run, not of the login', async () => {
    const env = authEnv(sandbox);
    expect((await run(['auth', 'login', '--with-token', '--insecure-storage'], { env, input: `${sandbox.token}\n` })).code).toBe(0);
    const atLogin = (await status(env)).json;
    const usedAtLogin = Number(atLogin.quota['x-keap-product-quota-used']);
    expect(Number.isInteger(usedAtLogin)).toBe(true);

    const exported = await run(['export', 'tags', '--format', 'ndjson', '--max', '2'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const afterRun = (await status(env)).json;
    expect(Number(afterRun.quota['x-keap-product-quota-used'])).toBeGreaterThan(usedAtLogin);
    expect(Date.parse(afterRun.quotaSeenAt)).toBeGreaterThanOrEqual(Date.parse(atLogin.quotaSeenAt));
  });

  it('refuses a key the API refuses, storing nothing', async () => {
    const env = authEnv(sandbox);
    const wrongKey = 'KeapAK-not-a-real-key-123456';
    registerSecret(wrongKey);
    const login = await run(['auth', 'login', '--with-token'], { env, input: `${wrongKey}\n` });
    expect(login.code).toBe(4);
    expect(login.stderr).toMatch(/401/);
    expect(readStoredSecret(env.INFUSIONSOFT_CONFIG_DIR as string)).toBeUndefined();
    const empty = await run(['auth', 'login', '--with-token'], { env, input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no key was given/);
  });
});

describe('profiles and the lookup order', () => {
  it('keeps accounts apart by --profile and INFUSIONSOFT_PROFILE, and the environment wins', async () => {
    const env = authEnv(sandbox);
    expect((await run(['auth', 'login', '--with-token'], { env, input: `${sandbox.token}\n` })).code).toBe(0);
    const other = await oauthLogin(env, ['--profile', 'client-b']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(/profile "client-b"/);

    expect((await status(env)).json).toMatchObject({ profile: 'default', kind: 'key' });
    expect((await status(env, ['--profile', 'client-b'])).json).toMatchObject({ profile: 'client-b', kind: 'oauth' });
    expect((await status({ ...env, INFUSIONSOFT_PROFILE: 'client-b' })).json).toMatchObject({ profile: 'client-b', kind: 'oauth' });

    const missing = await run(['--profile', 'nobody', 'export', 'tags'], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no stored login named "nobody"/);
    expect(missing.stderr).toMatch(/infusionsoft auth login --profile nobody/);

    const shadowed = await status({ ...env, INFUSIONSOFT_API_KEY: sandbox.token });
    expect(shadowed.json).toMatchObject({ source: 'environment', sourceName: 'INFUSIONSOFT_API_KEY', profileShadowed: true });
    const human = await run(['auth', 'status'], { env: { ...env, INFUSIONSOFT_API_KEY: sandbox.token } });
    expect(human.stdout).toMatch(/environment \(INFUSIONSOFT_API_KEY\)/);
    expect(human.stdout).toMatch(/not used while INFUSIONSOFT_API_KEY is set/);
  });

  it('without any login: status and commands exit 4 and say how to log in', async () => {
    const env = authEnv(sandbox);
    const result = await run(['auth', 'status'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/not logged in/);
    expect(result.stderr).toMatch(/infusionsoft auth login/);
    const exported = await run(['export', 'tags'], { env });
    expect(exported.code).toBe(4);
    expect(exported.stderr).toMatch(/auth login/);
  });
});

describe('refresh, token and logout', () => {
  it('auth refresh rotates the pair; auth token prints the stored access token', async () => {
    const env = authEnv(sandbox);
    expect((await oauthLogin(env)).code).toBe(0);
    const dir = env.INFUSIONSOFT_CONFIG_DIR as string;
    const first = readStoredSecret(dir) as Extract<ReturnType<typeof readStoredSecret>, { kind: 'oauth' }>;
    const before = await sandbox.stats();
    const refresh = await run(['--verbose', 'auth', 'refresh'], { env });
    registerStoredSecrets(dir);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect((await sandbox.stats()).refreshes).toBe(before.refreshes + 1);
    const second = readStoredSecret(dir) as typeof first;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const token = await run(['auth', 'token'], { env });
    expect(token.code).toBe(0);
    expect(token.stdout).toBe(`${second.accessToken}\n`);
  });

  it('a refused refresh token ends with exit 4 and the command to run, and the stored login is kept', async () => {
    const env = authEnv(sandbox);
    expect((await oauthLogin(env, ['--profile', 'work'])).code).toBe(0);
    const dir = env.INFUSIONSOFT_CONFIG_DIR as string;
    const file = join(dir, 'secrets', 'work.json');
    copyFileSync(file, `${file}.old`);
    expect((await run(['--profile', 'work', 'auth', 'refresh'], { env })).code).toBe(0);
    registerStoredSecrets(dir);
    // An old copy of the pair (a restored backup): its refresh token was rotated out.
    copyFileSync(`${file}.old`, file);
    const stale = readFileSync(file, 'utf8');
    const result = await run(['--verbose', '--profile', 'work', 'auth', 'refresh'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/refused the refresh token of profile "work"/);
    expect(result.stderr).toMatch(/infusionsoft auth login --profile work/);
    expect(readFileSync(file, 'utf8')).toBe(stale);
  });

  it('--refresh-token adopts a pair minted elsewhere (the old refresh token then dies)', async () => {
    const env = authEnv(sandbox);
    const pair = await mintTokenPair(sandbox.origin);
    const login = await run(['auth', 'login', '--refresh-token'], { env, input: `${pair.refresh_token}\n` });
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(login.code, login.stderr).toBe(0);
    expect((await status(env)).json).toMatchObject({ kind: 'oauth', user: { email: 'user1@sandbox.example.com' } });
    expect((readStoredSecret(env.INFUSIONSOFT_CONFIG_DIR as string) as { refreshToken: string }).refreshToken).not.toBe(pair.refresh_token);
  });

  it('auth logout removes the secret and the profile', async () => {
    const env = authEnv(sandbox);
    expect((await run(['auth', 'login', '--with-token'], { env, input: `${sandbox.token}\n` })).code).toBe(0);
    const out = await run(['auth', 'logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/Logged out of profile "default"/);
    expect(existsSync(join(env.INFUSIONSOFT_CONFIG_DIR as string, 'secrets', 'default.json'))).toBe(false);
    expect((await run(['auth', 'status'], { env })).code).toBe(4);
    expect((await run(['auth', 'logout'], { env })).code).toBe(4);
  });
});
