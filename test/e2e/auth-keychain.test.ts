/**
 * The keychain against a real Secret Service: gnome-keyring, unlocked in its own D-Bus session and
 * a fresh XDG_DATA_HOME (test/e2e/keychain-session.sh). The login goes to the keychain, is used,
 * refreshed and removed there; the same profile from a run without the session (cron) exits 4 and
 * names the way out. `.ci/run` installs dbus and gnome-keyring; when they cannot start, the run
 * says so loudly, and fails under CI.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authEnv, oauthLogin } from './auth-support.js';
import { registerSecret, run, startSandboxProcess, type SandboxProcess } from './cli.js';
import { startSession, type Session } from './keychain-support.js';

const mustRun = process.env.CI === 'true';

/** Reads the profile's entry straight from the Secret Service, as the keyring library stores it. */
async function keyringValue(address: string, profile: string): Promise<string | null> {
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = address;
  try {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    return await new AsyncEntry('infusionsoft', profile, { linux: { store: 'secret-service' } }).getPassword();
  } finally {
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
  }
}

let session: Session | undefined;
let problem: string | undefined;
let sandbox: SandboxProcess;

beforeAll(async () => {
  ({ session, problem } = await startSession());
  if (problem) {
    console.warn(
      `\n*** auth-keychain: no Secret Service: ${problem}\n*** the keychain is NOT tested${mustRun ? '; failing, since CI=true' : ''} ***\n`,
    );
  }
  sandbox = await startSandboxProcess(['--seed', '13']);
}, 60_000);
afterAll(async () => {
  session?.child.stdin?.end();
  await sandbox?.stop();
});

describe('the OS keychain (Secret Service)', () => {
  it('holds the login: stored, used, refreshed, out of reach from cron, removed on logout', async (context) => {
    if (problem) {
      if (mustRun) throw new Error(`the keychain test cannot run: ${problem}`);
      context.skip();
    }
    const address = (session as Session).address;
    const env = { ...authEnv(sandbox), DBUS_SESSION_BUS_ADDRESS: address };
    const dir = env.INFUSIONSOFT_CONFIG_DIR as string;

    const login = await oauthLogin(env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/stored in the OS keychain/);
    expect(login.stderr).not.toMatch(/no usable keychain/);
    expect(existsSync(join(dir, 'secrets', 'default.json'))).toBe(false);
    const stored = JSON.parse((await keyringValue(address, 'default')) as string) as { accessToken: string; refreshToken: string };
    registerSecret(stored.accessToken);
    registerSecret(stored.refreshToken);
    expect(JSON.parse((await run(['auth', 'status', '--json'], { env })).stdout)).toMatchObject({ source: 'keychain', kind: 'oauth' });

    const used = await run(['api', 'GET', '/account/profile'], { env });
    expect(used.code, used.stderr).toBe(0);

    const before = await sandbox.stats();
    const refreshed = await run(['auth', 'refresh'], { env });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect((await sandbox.stats()).refreshes).toBe(before.refreshes + 1);
    const rotated = JSON.parse((await keyringValue(address, 'default')) as string) as { accessToken: string; refreshToken: string };
    registerSecret(rotated.accessToken);
    registerSecret(rotated.refreshToken);
    expect(rotated.refreshToken).not.toBe(stored.refreshToken);

    // cron: no D-Bus session, so the keychain is out of reach.
    const cron = await run(['api', 'GET', '/account/profile'], { env: { ...env, DBUS_SESSION_BUS_ADDRESS: undefined } });
    expect(cron.code).toBe(4);
    expect(cron.stderr).toMatch(/keychain, which this run cannot reach/);
    expect(cron.stderr).toMatch(/--insecure-storage/);
    expect(cron.stderr).toMatch(/INFUSIONSOFT_API_KEY/);

    const out = await run(['auth', 'logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/its credential was removed from the OS keychain/);
    expect(await keyringValue(address, 'default')).toBeNull();

    // A profile whose keychain item is already gone: logout says so, and forgets it.
    const profile = { kind: 'key', storage: 'keychain', apiUrl: sandbox.apiUrl, loggedInAt: new Date().toISOString() };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { default: profile } }), { mode: 0o600 });
    const empty = await run(['auth', 'logout'], { env });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stderr).toMatch(/nothing was there in the OS keychain/);
    expect((await run(['auth', 'status'], { env })).code).toBe(4);
  }, 90_000);
});
