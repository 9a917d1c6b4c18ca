/**
 * A sandbox that takes only a registered redirect URI, with the built binary: a login on a random
 * port is refused by the authorize page and ended with Ctrl-C (a signal needs a process); with
 * --port it is met. The sandbox's other rules run in-process (test/commands/auth-sandbox-rules.test.ts).
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pressOnAuthorizePage } from '../auth/oauth-walk.js';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets } from './auth-support.js';
import { startRun, startSandboxProcess, type SandboxProcess } from './cli.js';

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
