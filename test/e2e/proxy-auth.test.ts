/**
 * The token endpoint and userinfo go through the proxy too (issue 19, item 2): `auth login
 * --refresh-token` (a refresh, then userinfo), `auth refresh` and `auth status --check`, run as the
 * built binary against the sandbox process with a real forwarding proxy in front of it. API calls,
 * NO_PROXY, --proxy and credentials: test/commands/proxy.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTokenPair } from '../auth/oauth-walk.js';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { authEnv, registerStoredSecrets } from './auth-support.js';
import { run, type SandboxProcess, startSandboxProcess } from './cli.js';

let sandbox: SandboxProcess;
let proxy: ForwardProxy;

beforeAll(async () => {
  [sandbox, proxy] = await Promise.all([startSandboxProcess(), startForwardProxy()]);
});
afterAll(async () => {
  await Promise.all([sandbox?.stop(), proxy?.close()]);
});

const TOKEN = 'POST /token';
const USERINFO = 'GET /crm/rest/v1/oauth/connect/userinfo';
const count = (line: string) => proxy.requests.filter((seen) => seen === line).length;

describe('the token endpoint and userinfo through the proxy', () => {
  it('login, refresh and status --check send their token and userinfo requests through HTTP_PROXY; NO_PROXY bypasses it', async () => {
    const env = { ...authEnv(sandbox), HTTP_PROXY: proxy.url, HTTPS_PROXY: undefined, NO_PROXY: undefined, no_proxy: undefined };
    const configDir = env.INFUSIONSOFT_CONFIG_DIR as string;

    const login = await run(['auth', 'login', '--refresh-token', '--insecure-storage'], {
      env,
      input: `${(await mintTokenPair(sandbox.origin)).refresh_token}\n`,
    });
    registerStoredSecrets(configDir);
    expect(login.code, login.stderr).toBe(0);
    expect(count(TOKEN)).toBe(1);
    expect(count(USERINFO)).toBe(1);

    const refresh = await run(['auth', 'refresh'], { env });
    registerStoredSecrets(configDir);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(count(TOKEN)).toBe(2);

    const check = await run(['auth', 'status', '--check'], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(count(USERINFO)).toBe(2);

    const direct = await run(['auth', 'refresh'], { env: { ...env, NO_PROXY: '127.0.0.1' } });
    registerStoredSecrets(configDir);
    expect(direct.code, direct.stderr).toBe(0);
    expect(count(TOKEN)).toBe(2);
    expect((await sandbox.stats()).refreshes).toBeGreaterThanOrEqual(3);
  });
});
