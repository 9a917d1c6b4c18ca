/** Where auth keeps things: config dir, profile names, config.json and the 0600 secret files. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authPaths, readProfiles, resolveConfigDir, updateProfile, type Profile } from '../../src/auth/profiles.js';
import { resolveProfileName } from '../../src/auth/resolver.js';
import { fileStore, keychainStore, probeKeychain } from '../../src/auth/secrets.js';
import { AuthError, UsageError } from '../../src/errors.js';

const temp = () => mkdtempSync(join(tmpdir(), 'infusionsoft-profiles-'));
const profile: Profile = { kind: 'key', storage: 'file', apiUrl: 'http://127.0.0.1:1/crm/rest/v1', loggedInAt: '2026-01-01T00:00:00.000Z' };

describe('the config folder and profile names', () => {
  it('comes from INFUSIONSOFT_CONFIG_DIR, else XDG_CONFIG_HOME, else ~/.config', () => {
    expect(resolveConfigDir({ INFUSIONSOFT_CONFIG_DIR: '/a/b', XDG_CONFIG_HOME: '/x' })).toBe('/a/b');
    expect(resolveConfigDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/infusionsoft');
    expect(resolveConfigDir({})).toBe(join(homedir(), '.config', 'infusionsoft'));
  });

  it('takes --profile over INFUSIONSOFT_PROFILE over "default", and refuses names that are not file names', () => {
    expect(resolveProfileName('client-a', { INFUSIONSOFT_PROFILE: 'b' })).toBe('client-a');
    expect(resolveProfileName(undefined, { INFUSIONSOFT_PROFILE: 'b' })).toBe('b');
    expect(resolveProfileName(undefined, {})).toBe('default');
    expect(() => resolveProfileName('../etc', {})).toThrow(UsageError);
    expect(() => resolveProfileName(undefined, { INFUSIONSOFT_PROFILE: 'a b' })).toThrow(/INFUSIONSOFT_PROFILE: "a b"/);
  });
});

describe('config.json', () => {
  it('keeps profiles apart, in a 0600 file in a 0700 folder', async () => {
    const paths = authPaths(join(temp(), 'infusionsoft'));
    await updateProfile(paths, 'default', () => profile);
    await updateProfile(paths, 'client-b', () => ({ ...profile, apiUrl: 'http://127.0.0.1:2/crm/rest/v1' }));
    await updateProfile(paths, 'default', (current) => (current ? { ...current, tenant: 't1' } : current));
    const profiles = await readProfiles(paths);
    expect(Object.keys(profiles).sort()).toEqual(['client-b', 'default']);
    expect(profiles.default?.tenant).toBe('t1');
    expect(profiles['client-b']?.apiUrl).toBe('http://127.0.0.1:2/crm/rest/v1');
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.configDir).mode & 0o777).toBe(0o700);
    await updateProfile(paths, 'client-b', () => undefined);
    expect(Object.keys(await readProfiles(paths))).toEqual(['default']);
  });

  it('names the file and the way out when it is damaged', async () => {
    const paths = authPaths(temp());
    writeFileSync(paths.configFile, '{ not json');
    await expect(readProfiles(paths)).rejects.toThrow(new RegExp(`${paths.configFile} is not a valid infusionsoft config`));
  });
});

describe('the secret file', () => {
  it('is written 0600 in a 0700 folder, read back, and removed', async () => {
    const paths = authPaths(join(temp(), 'cfg'));
    const store = fileStore(paths);
    await store.write('default', { kind: 'key', key: 'KeapAK-123' });
    const file = join(paths.secretsDir, 'default.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(paths.secretsDir).mode & 0o777).toBe(0o700);
    expect(await store.read('default')).toEqual({ kind: 'key', key: 'KeapAK-123' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ kind: 'key', key: 'KeapAK-123' });
    expect(await store.remove('default')).toBe(true);
    expect(await store.read('default')).toBeUndefined();
  });

  it('refuses a secret over 2.5 KB (the smallest keychain limit), writing nothing', async () => {
    const paths = authPaths(join(temp(), 'cfg'));
    const store = fileStore(paths);
    await expect(store.write('default', { kind: 'key', key: 'k'.repeat(2600) })).rejects.toThrow(/too large to store/);
    expect(await store.read('default')).toBeUndefined();
  });
});

describe('the keychain without a D-Bus session (cron)', () => {
  it.runIf(process.platform === 'linux')('is not tried, and a profile stored there names the way out', async () => {
    const env = { PATH: process.env.PATH };
    expect(await probeKeychain(env)).toMatch(/no D-Bus session/);
    const error = (await keychainStore(env)
      .read('default')
      .catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(4);
    expect(error.hint).toMatch(/--insecure-storage/);
    expect(error.hint).toMatch(/INFUSIONSOFT_API_KEY/);
  });
});
