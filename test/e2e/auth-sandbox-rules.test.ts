/**
 * Logging in against a sandbox that keeps Keap's rules: a registered redirect URI (so the login
 * needs --port), and a new authorisation of the same app that may end earlier logins.
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { AUTHORIZE_URL, authEnv, oauthLogin, registerStoredSecrets } from './auth-support.js';
import { run, startRun, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

const sandboxes: SandboxProcess[] = [];
afterAll(() => Promise.all(sandboxes.map((sandbox) => sandbox.stop())));
async function sandboxWith(args: string[]): Promise<SandboxProcess> {
  const sandbox = await startSandboxProcess(args);
  sandboxes.push(sandbox);
  return sandbox;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a registered redirect URI', () => {
  it('is met with --port; a login on a random port is refused by the authorize page', async () => {
    const port = await freePort();
    const sandbox = await sandboxWith(['--redirect-uris', `http://127.0.0.1:${port}/callback,https://app.example.com/keap/callback`]);
    const env = authEnv(sandbox);

    const random = startRun(['auth', 'login', '--no-browser'], { env });
    const [, url] = await random.waitForStderr(AUTHORIZE_URL);
    const page = await fetch(url as string);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/redirect_uri .{1,8}http:\/\/127\.0\.0\.1:\d+\/callback.{1,8} is not registered for this app/);
    random.child.kill('SIGINT');
    expect((await random.done).code).toBe(130);

    const registered = startRun(['auth', 'login', '--no-browser', '--port', String(port)], { env });
    const [, good] = await registered.waitForStderr(AUTHORIZE_URL);
    expect(new URL(good as string).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
    expect((await fetch(await pressOnAuthorizePage(good as string))).status).toBe(200);
    const result = await registered.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('two profiles logged in through one app', () => {
  const twoLogins = async (sandbox: SandboxProcess) => {
    const env = authEnv(sandbox, tempDir('infusionsoft-auth-'));
    expect((await oauthLogin(env, ['--profile', 'client-a'])).code).toBe(0);
    const second = await oauthLogin(env, ['--profile', 'client-b']);
    expect(second.code, second.stderr).toBe(0);
    const refreshA = await run(['--profile', 'client-a', 'auth', 'refresh'], { env });
    const refreshB = await run(['--profile', 'client-b', 'auth', 'refresh'], { env });
    return { second, refreshA, refreshB };
  };

  it('the second login says the first may have ended; under the sandbox default it has', async () => {
    const { second, refreshA, refreshB } = await twoLogins(await sandboxWith(['--seed', '16']));
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
    const { refreshA, refreshB } = await twoLogins(
      await sandboxWith(['--seed', '17', '--keep-earlier-logins', '--refresh-token-lifetime', '3600']),
    );
    expect(refreshA.code, refreshA.stderr).toBe(0);
    expect(refreshB.code, refreshB.stderr).toBe(0);
  });
});
