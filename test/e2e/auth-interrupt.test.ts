/**
 * Ctrl-C during `auth login`, with the built binary: a signal needs a process of its own. The
 * rest of the login's flows run in-process (test/commands/auth-flows.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZE_URL, authEnv } from './auth-support.js';
import { run, startRun, startSandboxProcess, type SandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--seed', '8']);
});
afterAll(() => sandbox?.stop());

const status = async (env: Record<string, string | undefined>) => run(['auth', 'status', '--json'], { env });

describe('auth login in the browser (callback on 127.0.0.1)', () => {
  it('Ctrl-C stops the waiting login: exit 130, the callback port closed, nothing stored', async () => {
    const env = authEnv(sandbox);
    const login = startRun(['auth', 'login', '--no-browser'], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    const callback = new URL(url as string).searchParams.get('redirect_uri') as string;
    login.child.kill('SIGINT');
    const result = await login.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted; nothing was stored/);
    await expect(fetch(`${callback}?code=x&state=y`)).rejects.toThrow();
    expect((await status(env)).code).toBe(4);
  });
});
