/**
 * `auth login` when something goes wrong, in-process against the sandbox: a refused client
 * secret, a spent code, a browser that cannot be opened (the system's opener without a display,
 * and an injected opener that fails). The environment the real opener gives the browser is
 * test/e2e/auth-opener.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemBrowserOpener } from '../../src/commands/prompt.js';
import type { BrowserOpener, Prompter } from '../../src/io.js';
import {
  AUTHORIZE_URL,
  authEnv,
  registerStoredSecrets,
  run,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startRun,
} from '../auth/in-process.js';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { cleanEnv, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { registerSecret } from '../support/record.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 15 });
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

/**
 * A person at a terminal, scripted: each prompt takes the next answer queued for its text; the
 * paste prompt (no text) waits until the login stops asking. Echo is the terminal's business
 * (test/e2e/auth-terminal.test.ts); this is the login's side of it.
 */
function personAtTerminal(answers: Record<string, string[]>): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive: true,
    asked,
    async readLine(prompt, options = {}) {
      asked.push(prompt);
      const answer = answers[prompt]?.shift();
      if (answer !== undefined) return answer;
      const { signal } = options;
      if (!signal || signal.aborted) return undefined;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    },
    close: () => undefined,
  };
}

describe('a refused client secret at a terminal', () => {
  it('is asked for again, and the login goes on with the right one, spending one code', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: undefined };
    const person = personAtTerminal({ 'Client secret: ': ['not-the-secret', SANDBOX_CLIENT_SECRET] });
    const before = await sandbox.stats();
    const login = startRun(['auth', 'login', '--no-browser'], { env, prompter: () => person });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    expect((await fetch(await pressOnAuthorizePage(url as string))).status).toBe(200);
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/invalid_client\): check the client secret of app sandbox-client-id/);
    expect(result.stderr).toMatch(/Logged in to Keap as .+, profile "default"/);
    expect(person.asked.filter((prompt) => prompt === 'Client secret: ')).toHaveLength(2);
    expect((await sandbox.stats()).tokensIssued).toBe(before.tokensIssued + 1);
    expect((await run(['auth', 'status', '--json'], { env })).code).toBe(0);
  });
});

describe('the browser', () => {
  it('with no display and no --no-browser: says no browser could be opened, shows the address, takes a paste', async () => {
    const env = { ...authEnv(sandbox), BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, WSL_DISTRO_NAME: undefined };
    // The opener processIO() gives a real run, over the environment this run sees.
    const login = startRun(['auth', 'login'], { env, openBrowser: systemBrowserOpener(cleanEnv(env), 'linux') });
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

  it('opens the authorize address with the injected opener, and the callback completes the login', async () => {
    const env = authEnv(sandbox);
    const asked: string[] = [];
    const openBrowser: BrowserOpener = async (url) => {
      asked.push(url);
    };
    const login = startRun(['auth', 'login'], { env, openBrowser });
    const [, printed] = await login.waitForStderr(/Opened the browser to log in to Keap\. If it did not open, visit:\s+(\S+)/);
    await login.waitForStderr(/Waiting for Keap to send you back to http:\/\/127\.0\.0\.1:\d+\/callback/);
    expect(asked).toEqual([printed]);
    const url = new URL(asked[0] as string);
    expect(url.origin + url.pathname).toBe(`${sandbox.origin}/app/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(SANDBOX_CLIENT_ID);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);
    // What the browser would do with it: Allow, then the callback to the login's own server.
    expect((await fetch(await pressOnAuthorizePage(asked[0] as string))).status).toBe(200);
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/no browser could be opened/);
  });

  it('an opener that fails: says why, prints the address to open by hand, and the login still completes', async () => {
    const env = authEnv(sandbox);
    const openBrowser: BrowserOpener = async () => Promise.reject(new Error('xdg-open: no method available'));
    const login = startRun(['auth', 'login'], { env, openBrowser });
    await login.waitForStderr(/warning: no browser could be opened \(xdg-open: no method available\)/);
    const [, url] = await login.waitForStderr(/Open this address in a browser yourself and allow access:\s+(\S+)/);
    expect(url).toMatch(AUTHORIZE_URL);
    expect((await fetch(await pressOnAuthorizePage(url as string))).status).toBe(200);
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Opened the browser/);
  });

  it('an opener that finds no browser after the launch (its late failure) is said, and a paste still completes the login', async () => {
    const env = authEnv(sandbox);
    const openBrowser: BrowserOpener = async (_url, onFailure) => {
      setImmediate(() => onFailure('the opener exited with status 3'));
    };
    const login = startRun(['auth', 'login'], { env, openBrowser });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    await login.waitForStderr(
      /warning: no browser could be opened \(the opener exited with status 3\); open the address above yourself, and paste the address you land on/,
    );
    login.type((await pressOnAuthorizePage(url as string)).toString());
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Logged in to Keap as/);
  });
});
