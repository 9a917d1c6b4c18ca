/**
 * One credential resolver (issue 16 item 3): `auth status` reports the credential a data command
 * uses, in the same order (an explicit profile, INFUSIONSOFT_ACCESS_TOKEN, INFUSIONSOFT_API_KEY,
 * the default profile), and a refused stored login's hint comes from the credential's structured
 * origin. In-process against the sandbox.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authPaths, updateProfile, type Profile } from '../../src/auth/profiles.js';
import { fileStore } from '../../src/auth/secrets.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 16 });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** A config folder holding key profiles on the sandbox's API, each with a key the sandbox refuses. */
async function configWith(names: string[]) {
  const dir = join(mkdtempSync(join(tmpdir(), 'infusionsoft-resolve-')), 'infusionsoft');
  const paths = authPaths(dir);
  const profile: Profile = { kind: 'key', storage: 'file', apiUrl: sandbox.apiUrl, loggedInAt: '2026-01-01T00:00:00.000Z' };
  for (const name of names) {
    await updateProfile(paths, name, () => profile);
    await fileStore(paths).write(name, { kind: 'key', key: `refused-key-of-${name}` });
  }
  return { paths, env: { INFUSIONSOFT_CONFIG_DIR: dir, DBUS_SESSION_BUS_ADDRESS: undefined } };
}

/** `auth status --json` and a data command (`api GET /contacts`), in the same environment. */
async function statusAndData(env: Record<string, string | undefined>, global: string[] = []) {
  const status = await runCli([...global, 'auth', 'status', '--json'], { env });
  const data = await runCli([...global, 'api', 'GET', '/contacts?limit=1'], { env });
  return { status, data };
}

describe('auth status uses the order every command uses', () => {
  it('reports INFUSIONSOFT_ACCESS_TOKEN over a stored default profile, which a data command does not use either', async () => {
    const { env } = await configWith(['default']);
    const { status, data } = await statusAndData({
      ...env,
      INFUSIONSOFT_ACCESS_TOKEN: sandbox.token,
      INFUSIONSOFT_API_URL: sandbox.apiUrl,
    });
    expect(data.code, data.stderr).toBe(0);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      source: 'environment',
      sourceName: 'INFUSIONSOFT_ACCESS_TOKEN',
      profileShadowed: true,
    });
  });

  it('reports the environment credential when the config cannot be read, as a data command goes on without it', async () => {
    // A run that uses the variable never needs config.json; status must not fail on it either.
    const { paths, env } = await configWith(['default']);
    writeFileSync(paths.configFile, '{ this is not json');
    const { status, data } = await statusAndData({
      ...env,
      INFUSIONSOFT_API_KEY: 'KeapAK-x',
      INFUSIONSOFT_ACCESS_TOKEN: sandbox.token,
      INFUSIONSOFT_API_URL: sandbox.apiUrl,
    });
    expect(data.code, data.stderr).toBe(0);
    expect(status.code, status.stderr).toBe(0);
    const shown = JSON.parse(status.stdout);
    expect(shown).toMatchObject({ source: 'environment', sourceName: 'INFUSIONSOFT_ACCESS_TOKEN', kind: 'access-token' });
    expect(shown.profileShadowed).toBeUndefined();
  });

  it('reports the environment credential when the config folder can be written by others, as a data command uses it', async () => {
    const { paths, env } = await configWith(['default']);
    chmodSync(paths.configDir, 0o777);
    const { status, data } = await statusAndData({ ...env, INFUSIONSOFT_API_KEY: 'KeapAK-x', INFUSIONSOFT_API_URL: sandbox.apiUrl });
    // The sandbox refuses this key: what matters is that the run got as far as sending it (exit 4 from Keap's 401).
    expect(data.stderr).toContain('Keap refused the credential from INFUSIONSOFT_API_KEY');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'environment', sourceName: 'INFUSIONSOFT_API_KEY', kind: 'key' });
  });

  it('reports a named profile over the environment, as a data command uses the profile', async () => {
    const { env } = await configWith(['client-b']);
    const { status, data } = await statusAndData({ ...env, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token }, ['--profile', 'client-b']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      source: 'file',
      sourceName: 'profile "client-b"',
      environmentIgnored: 'INFUSIONSOFT_ACCESS_TOKEN',
    });
    expect(data.code).toBe(4);
    expect(data.stderr).toContain('INFUSIONSOFT_ACCESS_TOKEN is set but not used: profile "client-b" was named');
    expect(data.stderr).toContain('Keap refused the credential from profile "client-b" (file)');
  });
});

describe('the hint for a refused stored login', () => {
  it('names the profile to log in again, from where the credential came from', async () => {
    const { env } = await configWith(['client-b']);
    const out = await runCli(['--profile', 'client-b', 'api', 'GET', '/contacts'], { env });
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('log in again: infusionsoft auth login --profile client-b --with-token');
  });
});
