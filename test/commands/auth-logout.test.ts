/**
 * `auth logout` always forgets (issue 14 item 6): the profile goes even when its keychain cannot be
 * reached (here: no D-Bus session, as over SSH), with how to delete the item by hand; "nothing was
 * there" when the store held nothing; `--all` logs out of every profile. The wedged keychains are
 * in test/e2e/auth-keychain-hang.test.ts.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authPaths, readProfiles, updateProfile, type Profile } from '../../src/auth/profiles.js';
import { fileStore } from '../../src/auth/secrets.js';
import { runCli } from '../support/cli.js';

const profile: Profile = { kind: 'key', storage: 'file', apiUrl: 'http://127.0.0.1:1/crm/rest/v1', loggedInAt: '2026-01-01T00:00:00.000Z' };

/** A config folder with these profiles; file profiles get their secret file. */
async function configWith(profiles: Record<string, Profile>) {
  const dir = join(mkdtempSync(join(tmpdir(), 'infusionsoft-logout-')), 'infusionsoft');
  const paths = authPaths(dir);
  for (const [name, value] of Object.entries(profiles)) {
    await updateProfile(paths, name, () => value);
    if (value.storage === 'file') await fileStore(paths).write(name, { kind: 'key', key: `key-of-${name}` });
  }
  // Like SSH without D-Bus: the keychain cannot be reached.
  return { paths, env: { INFUSIONSOFT_CONFIG_DIR: dir, DBUS_SESSION_BUS_ADDRESS: undefined } };
}

describe('auth logout', () => {
  it('forgets a keychain profile the keychain cannot reach, saying the item may remain and how to delete it', async () => {
    const { paths, env } = await configWith({ default: { ...profile, storage: 'keychain' } });
    const out = await runCli(['auth', 'logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/Logged out of profile "default" on this machine/);
    expect(out.stderr).toMatch(/no D-Bus session/);
    expect(out.stderr).toMatch(/may remain there; to delete it: secret-tool clear service infusionsoft username default/);
    expect(await readProfiles(paths)).toEqual({});
    const status = await runCli(['auth', 'status'], { env });
    expect(status.code).toBe(4);
  });

  it('says "nothing was there" when the store held no credential', async () => {
    const { paths, env } = await configWith({ default: profile });
    await fileStore(paths).remove('default');
    const out = await runCli(['auth', 'logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/Logged out of profile "default"; nothing was there in .*secrets to remove/);
    expect(await readProfiles(paths)).toEqual({});
  });

  it('removes the secret file and the profile, and leaves other profiles alone', async () => {
    const { paths, env } = await configWith({ default: profile, other: profile });
    const out = await runCli(['auth', 'logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/its credential was removed from/);
    expect(existsSync(join(paths.secretsDir, 'default.json'))).toBe(false);
    expect(Object.keys(await readProfiles(paths))).toEqual(['other']);
    expect(await fileStore(paths).read('other')).toEqual({ kind: 'key', key: 'key-of-other' });
  });

  it('--all logs out of every profile, wherever its secret lives', async () => {
    const { paths, env } = await configWith({ default: profile, 'client-b': { ...profile, storage: 'keychain' }, 'client-c': profile });
    const out = await runCli(['auth', 'logout', '--all'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/profile "default"; its credential was removed/);
    expect(out.stderr).toMatch(/profile "client-c"; its credential was removed/);
    expect(out.stderr).toMatch(/profile "client-b" on this machine/);
    expect(out.stderr).toMatch(/secret-tool clear service infusionsoft username client-b/);
    expect(await readProfiles(paths)).toEqual({});
    expect(existsSync(join(paths.secretsDir, 'default.json'))).toBe(false);
    expect(existsSync(join(paths.secretsDir, 'client-c.json'))).toBe(false);

    const again = await runCli(['auth', 'logout', '--all'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/nothing was there/);
  });

  it('--all with --profile is a usage error', async () => {
    const { paths, env } = await configWith({ default: profile });
    const out = await runCli(['--profile', 'default', 'auth', 'logout', '--all'], { env });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--all and --profile cannot be used together/);
    expect(Object.keys(await readProfiles(paths))).toEqual(['default']);
  });
});
