/**
 * Logging in against a sandbox that keeps Keap's rules, in-process: a new authorisation of the
 * same app may end earlier logins. The registered redirect URI (a login on a random port is
 * refused, and ended with Ctrl-C) is test/e2e/auth-redirect-uri.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import { authEnv, oauthLogin, run } from '../auth/in-process.js';
import { startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

const sandboxes: TestSandbox[] = [];
afterAll(() => Promise.all(sandboxes.map((sandbox) => sandbox.stop())));
async function sandboxWith(options: SandboxOptions): Promise<TestSandbox> {
  const sandbox = await startTestSandbox(options);
  sandboxes.push(sandbox);
  return sandbox;
}

describe('two profiles logged in through one app', () => {
  const twoLogins = async (sandbox: TestSandbox) => {
    const env = authEnv(sandbox, tempDir('infusionsoft-auth-'));
    expect((await oauthLogin(env, ['--profile', 'client-a'])).code).toBe(0);
    const second = await oauthLogin(env, ['--profile', 'client-b']);
    expect(second.code, second.stderr).toBe(0);
    const refreshA = await run(['--profile', 'client-a', 'auth', 'refresh'], { env });
    const refreshB = await run(['--profile', 'client-b', 'auth', 'refresh'], { env });
    return { second, refreshA, refreshB };
  };

  it('the second login says the first may have ended; under the sandbox default it has', async () => {
    const { second, refreshA, refreshB } = await twoLogins(await sandboxWith({ seed: 16 }));
    expect(second.stderr).toMatch(
      /warning: profile "client-a" logged in through the same Keap app \(client id sandbox-client-id\) as the same user/,
    );
    expect(second.stderr).toMatch(/may have ended its login/);
    expect(second.stderr).toMatch(/infusionsoft --profile client-a auth refresh/);
    expect(refreshA.code, refreshA.stderr).toBe(4);
    expect(refreshA.stderr).toMatch(/refresh token/);
    expect(refreshB.code, refreshB.stderr).toBe(0);
  });

  it('with --keep-earlier-logins both survive', async () => {
    const { refreshA, refreshB } = await twoLogins(await sandboxWith({ seed: 17, keepEarlierLogins: true, refreshTokenLifetime: 3600 }));
    expect(refreshA.code, refreshA.stderr).toBe(0);
    expect(refreshB.code, refreshB.stderr).toBe(0);
  });
});
