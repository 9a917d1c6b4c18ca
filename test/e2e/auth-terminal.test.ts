/**
 * `auth login` on a real terminal (a pseudo-terminal): its prompts read in raw mode, where Ctrl-C
 * reaches readline as a byte instead of reaching the process as SIGINT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets, SANDBOX_CLIENT_SECRET } from './auth-support.js';
import { run, startSandboxProcess, type SandboxProcess } from './cli.js';
import { hasScript, runOnTerminal } from './pty.js';

if (!hasScript) console.warn('auth terminal tests skipped: util-linux `script` is not installed');

let sandbox: SandboxProcess;
beforeAll(async () => {
  if (hasScript) sandbox = await startSandboxProcess(['--seed', '14']);
});
afterAll(() => sandbox?.stop());

const loggedIn = async (env: Record<string, string | undefined>) => (await run(['auth', 'status', '--json'], { env })).code === 0;

describe.skipIf(!hasScript)('Ctrl-C at a login prompt on a terminal', () => {
  it('at the paste-back prompt: exit 130 at once, nothing stored', async () => {
    const env = authEnv(sandbox);
    const login = runOnTerminal(['auth', 'login', '--no-browser'], env);
    await login.waitFor(/paste the address you land on/);
    login.type('\x03');
    const code = await login.exit(5_000);
    expect(code, login.screen().slice(-400)).toBe(130);
    expect(login.screen()).toMatch(/interrupted; nothing was stored/);
    expect(await loggedIn(env)).toBe(false);
  }, 30_000);

  it('at the hidden client secret prompt: exit 130, not a usage error', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: undefined };
    const login = runOnTerminal(['auth', 'login', '--no-browser'], env);
    await login.waitFor(/Client secret: /);
    login.type('\x03');
    const code = await login.exit(5_000);
    expect(code, login.screen().slice(-400)).toBe(130);
    expect(login.screen()).toMatch(/interrupted; nothing was stored/);
    expect(login.screen()).not.toMatch(/no client secret was given/);
  }, 30_000);

  it('at the client id prompt: exit 130', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_ID: undefined, INFUSIONSOFT_CLIENT_SECRET: undefined };
    const login = runOnTerminal(['auth', 'login', '--no-browser'], env);
    await login.waitFor(/Client id .*: /);
    login.type('\x03');
    expect(await login.exit(5_000), login.screen().slice(-400)).toBe(130);
  }, 30_000);
});

describe.skipIf(!hasScript)('a refused client secret on a terminal', () => {
  it('is asked for again, and the login goes on with the right one (never echoed)', async () => {
    const env = { ...authEnv(sandbox), INFUSIONSOFT_CLIENT_SECRET: undefined };
    const login = runOnTerminal(['auth', 'login', '--no-browser'], env);
    await login.waitFor(/Client secret: /);
    login.type('not-the-secret\r');
    const [, url] = await login.waitFor(AUTHORIZE_URL);
    await login.waitFor(/paste the address you land on/);
    expect((await fetch(await pressOnAuthorizePage(url as string))).status).toBe(200);
    await login.waitFor(/check the client secret[\s\S]*Client secret: /);
    login.type(`${SANDBOX_CLIENT_SECRET}\r`);
    const code = await login.exit(15_000);
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(code, login.screen().slice(-600)).toBe(0);
    expect(login.screen()).toMatch(/Logged in to Keap as .+, profile "default"/);
    expect(login.screen()).not.toContain('not-the-secret');
    expect(login.screen()).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(await loggedIn(env)).toBe(true);
  }, 40_000);
});
