/**
 * `auth` with a keychain, in-process, through the injected secret stores: an in-memory keychain
 * that works, and a wedged one, a helper process whose keyring constructor blocks its thread for
 * ever (test/auth/wedged-keychain-child.mjs) behind the real isolation of auth/keychain.ts. The
 * real keychain (gnome-keyring on D-Bus) is test/e2e/auth-keychain*.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySecretStores } from '../../src/auth/memory-secrets.js';
import { authPaths, readProfiles } from '../../src/auth/profiles.js';
import { systemSecretStores } from '../../src/auth/secrets.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';

const WEDGED_HELPER = join(import.meta.dirname, '..', 'auth', 'wedged-keychain-child.mjs');

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 16 });
});
afterAll(() => sandbox?.stop());

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'infusionsoft-keychain-'));
  const configDir = join(root, 'infusionsoft');
  const log = join(root, 'wedged.log');
  // A D-Bus address, so the keychain is tried; a short guard, so the test waits little on the wedge.
  const env = {
    INFUSIONSOFT_CONFIG_DIR: configDir,
    INFUSIONSOFT_API_URL: sandbox.apiUrl,
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    INFUSIONSOFT_KEYCHAIN_TIMEOUT: '0.3',
    WEDGED_KEYCHAIN_LOG: log,
  };
  const wedged = systemSecretStores(env, WEDGED_HELPER);
  /** The helpers the wedged keychain started, by op; each must be gone once the command has ended. */
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => ({ pid: Number(line.split(' ')[0]), op: line.split(' ')[1] }))
      : [];
  return { env, configDir, wedged, calls };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The helper is SIGKILLed when abandoned; its exit is reaped a moment later. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !alive(pid);
}

describe('an in-memory keychain', () => {
  it('holds the login: status says keychain, token reads it, logout removes it', async () => {
    const { env, configDir } = setup();
    const secrets = memorySecretStores();
    const login = await runCli(['auth', 'login', '--with-token'], { env, secrets, stdin: `${sandbox.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/The credential is stored in the OS keychain\./);
    expect(login.stderr).not.toMatch(/no usable keychain/);
    expect(secrets.keychain.entries.get('default')).toEqual({ kind: 'key', key: sandbox.token });
    expect(existsSync(join(configDir, 'secrets', 'default.json'))).toBe(false);

    const status = await runCli(['auth', 'status', '--json'], { env, secrets });
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'keychain', kind: 'key' });
    const token = await runCli(['auth', 'token'], { env, secrets });
    expect(token.stdout).toBe(`${sandbox.token}\n`);
    const exported = await runCli(['export', 'tags', '--format', 'ndjson', '--max', '1'], { env, secrets });
    expect(exported.code, exported.stderr).toBe(0);

    const logout = await runCli(['auth', 'logout'], { env, secrets });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toMatch(/Logged out of profile "default"; its credential was removed from the OS keychain\./);
    expect(secrets.keychain.entries.size).toBe(0);
  });
});

describe('a keychain whose constructor blocks its thread for ever', () => {
  it('a login with a key falls back to the 0600 file, saying why, and the wedged helper is killed', async () => {
    const { env, configDir, wedged, calls } = setup();
    const login = await runCli(['auth', 'login', '--with-token'], { env, secrets: wedged, stdin: `${sandbox.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/no usable keychain \(the keychain did not answer within 0\.3 s \(probe\)\)/);
    expect(login.stderr).toMatch(/The credential is stored in a file only you can read/);
    expect(JSON.parse(readFileSync(join(configDir, 'secrets', 'default.json'), 'utf8'))).toEqual({ kind: 'key', key: sandbox.token });
    expect(calls().map((call) => call.op)).toEqual(['probe']);
    for (const { pid } of calls()) expect(await gone(pid)).toBe(true);
  });

  it('a keychain profile: token exits 4 saying the keychain cannot be reached; logout still forgets it (exit 0)', async () => {
    const { env, configDir, wedged, calls } = setup();
    // Stored in a keychain that worked then (the in-memory one); the same keychain is wedged now.
    const stored = await runCli(['auth', 'login', '--with-token'], { env, secrets: memorySecretStores(), stdin: `${sandbox.token}\n` });
    expect(stored.code, stored.stderr).toBe(0);

    const token = await runCli(['auth', 'token'], { env, secrets: wedged });
    expect(token.code).toBe(4);
    expect(token.stdout).toBe('');
    expect(token.stderr).toMatch(/the OS keychain, which this run cannot reach: the keychain did not answer within 0\.3 s \(get\)/);

    const exported = await runCli(['export', 'tags', '--max', '1'], { env, secrets: wedged });
    expect(exported.code).toBe(4);
    expect(exported.stderr).toMatch(/which this run cannot reach/);

    const logout = await runCli(['auth', 'logout'], { env, secrets: wedged });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toMatch(/Logged out of profile "default" on this machine/);
    expect(logout.stderr).toMatch(/could not be removed from the OS keychain \(the keychain did not answer within 0\.3 s \(delete\)\)/);
    expect(logout.stderr).toMatch(/secret-tool clear service infusionsoft username default/);
    expect(await readProfiles(authPaths(configDir))).toEqual({});

    expect(calls().map((call) => call.op)).toEqual(['get', 'get', 'delete']);
    for (const { pid } of calls()) expect(await gone(pid)).toBe(true);
  });
});
