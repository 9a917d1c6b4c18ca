/**
 * The config folder is private (issue 14 item 5): a config or secrets folder that others can read
 * is tightened to 0700 and the run says so; a config folder or config.json that others could have
 * written, or that another user owns, is refused with exit 4 and the command that fixes it.
 */
import { chmodSync, chownSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authPaths, readProfiles, updateProfile, type Profile } from '../../src/auth/profiles.js';
import { fileStore } from '../../src/auth/secrets.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** A config folder holding one key profile (a 0600 secret file) for the in-process sandbox. */
async function loggedIn() {
  const dir = join(mkdtempSync(join(tmpdir(), 'infusionsoft-modes-')), 'infusionsoft');
  const paths = authPaths(dir);
  const profile: Profile = { kind: 'key', storage: 'file', apiUrl: sandbox.apiUrl, loggedInAt: new Date().toISOString() };
  await updateProfile(paths, 'default', () => profile);
  await fileStore(paths).write('default', { kind: 'key', key: sandbox.token });
  return { paths, env: { INFUSIONSOFT_CONFIG_DIR: dir, DBUS_SESSION_BUS_ADDRESS: undefined } };
}

describe('the config and secrets folders', () => {
  it('are tightened to 0700 when others can read them, saying so, and the run goes on', async () => {
    const { paths, env } = await loggedIn();
    chmodSync(paths.configDir, 0o755);
    chmodSync(paths.secretsDir, 0o750);
    const exported = await runCli(['export', 'tags', '--format', 'ndjson', '--max', '1'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(1);
    expect(exported.stderr).toContain(`the config folder ${paths.configDir} was open to others (mode 0755); it is now 0700`);
    expect(exported.stderr).toContain(`the secrets folder ${paths.secretsDir} was open to others (mode 0750); it is now 0700`);
    expect(mode(paths.configDir)).toBe(0o700);
    expect(mode(paths.secretsDir)).toBe(0o700);

    // Said once: the next run finds them private.
    const again = await runCli(['auth', 'status'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/open to others/);
  });

  it('refuses a config folder others can write, exit 4, with the chmod to run', async () => {
    const { paths, env } = await loggedIn();
    chmodSync(paths.configDir, 0o775);
    const before = await sandbox.stats();
    const exported = await runCli(['export', 'tags', '--format', 'ndjson'], { env });
    expect(exported.code).toBe(4);
    expect(exported.stderr).toContain(`the config folder ${paths.configDir} can be written by others (mode 0775)`);
    expect(exported.stderr).toContain(`chmod 700 '${paths.configDir}'`);
    expect(exported.stdout).toBe('');
    // Nothing was sent anywhere, and the folder was left as it was for the user to check.
    expect((await sandbox.stats()).requests).toEqual(before.requests);
    expect(mode(paths.configDir)).toBe(0o775);
    expect((await runCli(['auth', 'status'], { env })).code).toBe(4);
  });

  it('refuses a config.json others can write, exit 4, with the chmod to run', async () => {
    const { paths, env } = await loggedIn();
    chmodSync(paths.configFile, 0o666);
    const status = await runCli(['auth', 'status'], { env });
    expect(status.code).toBe(4);
    expect(status.stderr).toContain(`the config file ${paths.configFile} can be written by others (mode 0666)`);
    expect(status.stderr).toContain(`chmod 600 '${paths.configFile}'`);
    chmodSync(paths.configFile, 0o600);
    expect((await runCli(['auth', 'status'], { env })).code).toBe(0);
  });

  // Giving a file to another user needs root; elsewhere this case cannot be set up.
  it.runIf(process.getuid?.() === 0)('refuses a config folder another user owns, exit 4, saying how to take it back', async () => {
    const { paths, env } = await loggedIn();
    chownSync(paths.configDir, 4321, 4321);
    const status = await runCli(['auth', 'logout'], { env });
    expect(status.code).toBe(4);
    expect(status.stderr).toContain(`the config folder ${paths.configDir} belongs to another user (uid 4321`);
    expect(status.stderr).toContain(`chown -R 0 '${paths.configDir}' && chmod 700 '${paths.configDir}'`);
    chownSync(paths.configDir, 0, 0);
    expect(Object.keys(await readProfiles(paths))).toEqual(['default']);
  });
});
