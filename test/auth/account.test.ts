/**
 * auth/account.ts called directly (issue 16 item 4, the part that needs no injected prompter or
 * browser): what `auth status` reports, `auth refresh` of a key profile, `auth token`, and logout.
 * Real files in a temp config folder; the keychain is out of reach (no D-Bus session), as over SSH.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authStatus, currentToken, logout, logoutAll, refreshNow } from '../../src/auth/account.js';
import { authPaths, readProfiles, updateProfile, type Profile } from '../../src/auth/profiles.js';
import { selectProfile } from '../../src/auth/resolver.js';
import { fileStore } from '../../src/auth/secrets.js';
import { AuthError, UsageError } from '../../src/errors.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T00:00:00.000Z');
const keyProfile: Profile = {
  kind: 'key',
  storage: 'file',
  apiUrl: 'https://api.infusionsoft.com/crm/rest/v1',
  user: { name: 'Ada', email: 'ada@example.com' },
  app: 'ab123.infusionsoft.com',
  loggedInAt: '2026-01-01T00:00:00.000Z',
};
const oauthProfile: Profile = {
  ...keyProfile,
  kind: 'oauth',
  tokenUrl: 'https://api.infusionsoft.com/token',
  clientId: 'client-id',
  accessTokenExpiresAt: new Date(NOW + DAY).toISOString(),
  refreshTokenIssuedAt: new Date(NOW - 31 * DAY).toISOString(),
};

/** A config folder with these profiles (file profiles get a key in their secret file), and its environment. */
async function configWith(profiles: Record<string, Profile>, extra: Record<string, string> = {}) {
  const dir = join(mkdtempSync(join(tmpdir(), 'infusionsoft-account-')), 'infusionsoft');
  const paths = authPaths(dir);
  for (const [name, profile] of Object.entries(profiles)) {
    await updateProfile(paths, name, () => profile);
    if (profile.storage === 'file') await fileStore(paths).write(name, { kind: 'key', key: `key-of-${name}` });
  }
  const env: NodeJS.ProcessEnv = { INFUSIONSOFT_CONFIG_DIR: dir, ...extra };
  return { paths, env };
}

describe('authStatus', () => {
  it("shows a stored key profile: who, which account, where the key lives, the profile's API", async () => {
    const { env } = await configWith({ default: keyProfile });
    const status = await authStatus(await selectProfile(undefined, env), NOW);
    expect(status).toEqual({
      profile: 'default',
      source: 'file',
      sourceName: 'profile "default"',
      kind: 'key',
      apiUrl: keyProfile.apiUrl,
      user: keyProfile.user,
      app: keyProfile.app,
    });
  });

  it('warns from 30 days that an OAuth refresh token may die, and names a keychain this run cannot reach', async () => {
    const { env } = await configWith({ 'client-b': { ...oauthProfile, storage: 'keychain' } });
    const status = await authStatus(await selectProfile('client-b', env), NOW);
    expect(status.refreshTokenAgeDays).toBe(31);
    expect(status.refreshTokenMayExpire).toBe(true);
    expect(status.keychainUnreachable).toMatch(/no D-Bus session/);
    const younger = await configWith({ default: { ...oauthProfile, refreshTokenIssuedAt: new Date(NOW - 29 * DAY).toISOString() } });
    expect((await authStatus(await selectProfile(undefined, younger.env), NOW)).refreshTokenMayExpire).toBeUndefined();
  });

  it('reports the variable that wins over the default profile, and the one a named profile wins over', async () => {
    const { env } = await configWith({ default: keyProfile }, { INFUSIONSOFT_API_KEY: 'KeapAK-env' });
    expect(await authStatus(await selectProfile(undefined, env), NOW)).toEqual({
      profile: 'default',
      source: 'environment',
      sourceName: 'INFUSIONSOFT_API_KEY',
      kind: 'key',
      profileShadowed: true,
    });
    const named = await authStatus(await selectProfile('default', env), NOW);
    expect(named).toMatchObject({ source: 'file', environmentIgnored: 'INFUSIONSOFT_API_KEY' });
  });

  it('is "not logged in" (exit 4) without a profile or a variable, and names a missing named profile', async () => {
    const { env } = await configWith({});
    const missing = await authStatus(await selectProfile(undefined, env), NOW).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(AuthError);
    expect((missing as AuthError).exitCode).toBe(4);
    expect((missing as AuthError).message).toBe('not logged in to Keap');
    await expect(authStatus(await selectProfile('client-x', env), NOW)).rejects.toThrow('there is no stored login named "client-x"');
  });
});

describe('refreshNow', () => {
  it('refuses a key profile (exit 2), which has nothing to refresh, and leaves it as it was', async () => {
    const { paths, env } = await configWith({ default: keyProfile });
    const error = await refreshNow(await selectProfile(undefined, env)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      'profile "default" holds a key (Personal Access Token or Service Account Key), which has nothing to refresh',
    );
    expect(await readProfiles(paths)).toEqual({ default: keyProfile });
    expect(await fileStore(paths).read('default')).toEqual({ kind: 'key', key: 'key-of-default' });
  });
});

describe('currentToken', () => {
  it('prints the stored key, or the variable that wins over the default profile', async () => {
    const { env } = await configWith({ default: keyProfile });
    expect(await currentToken(await selectProfile(undefined, env))).toBe('key-of-default');
    const withVariable = { ...env, INFUSIONSOFT_ACCESS_TOKEN: 'token-from-env' };
    expect(await currentToken(await selectProfile(undefined, withVariable))).toBe('token-from-env');
    expect(await currentToken(await selectProfile('default', withVariable))).toBe('key-of-default');
  });
});

describe('logout', () => {
  it('removes the secret file and the profile; a second logout finds nothing to forget (exit 4)', async () => {
    const { paths, env } = await configWith({ default: keyProfile, other: keyProfile });
    const ref = await selectProfile(undefined, env);
    expect(await logout(ref)).toEqual({ profile: 'default', storage: 'file', location: paths.secretsDir, secret: 'removed' });
    expect(existsSync(join(paths.secretsDir, 'default.json'))).toBe(false);
    expect(Object.keys(await readProfiles(paths))).toEqual(['other']);
    await expect(logout(ref)).rejects.toThrow('not logged in to Keap');
  });

  it('forgets a keychain profile it cannot reach, with the command that deletes the item by hand', async () => {
    const { paths, env } = await configWith({ 'client-b': { ...keyProfile, storage: 'keychain' } });
    const result = await logout(await selectProfile('client-b', env));
    expect(result).toMatchObject({ profile: 'client-b', storage: 'keychain', secret: 'unreachable' });
    expect(result.reason).toMatch(/no D-Bus session/);
    expect(result.removeByHand).toMatch(/client-b/);
    expect(await readProfiles(paths)).toEqual({});
  });

  it('--all forgets every profile, each from wherever its secret lives', async () => {
    const { paths, env } = await configWith({ default: keyProfile, 'client-b': { ...keyProfile, storage: 'keychain' } });
    const results = await logoutAll(await selectProfile(undefined, env));
    expect(results.map((r) => [r.profile, r.secret])).toEqual([
      ['default', 'removed'],
      ['client-b', 'unreachable'],
    ]);
    expect(await readProfiles(paths)).toEqual({});
  });
});
