/**
 * Behind a company proxy (issue 19, item 2): every request goes through the proxy HTTP_PROXY,
 * HTTPS_PROXY or --proxy names, except for hosts in NO_PROXY; a --proxy with credentials is refused
 * (flags show in `ps`), and the credentials in a variable are sent to the proxy but never printed.
 * In-process against the sandbox, with a real forwarding proxy (test/support/forward-proxy.ts) in
 * front of it. The token endpoint and userinfo through the proxy: test/e2e/proxy-auth.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';
import { closedPort, type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { registerSecret } from '../support/record.js';

let sandbox: TestSandbox;
let proxy: ForwardProxy | undefined;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** Every proxy variable, unset unless a test sets it: none may leak in from the developer's shell. */
const NO_PROXY_VARIABLES = {
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  HTTPS_PROXY: undefined,
  https_proxy: undefined,
  NO_PROXY: undefined,
  no_proxy: undefined,
};

function env(extra: Record<string, string | undefined>) {
  return { ...sandbox.env, ...NO_PROXY_VARIABLES, ...extra };
}

const EXPORT = ['export', 'contacts', '--max', '3', '--format', 'ndjson'];

/** What the sandbox served during `run`, counted by its own stats. */
async function servedDuring(run: () => Promise<unknown>): Promise<number> {
  const before = await totalRequests(sandbox);
  await run();
  return (await totalRequests(sandbox)) - before;
}

describe('requests through a forwarding proxy', () => {
  it('HTTP_PROXY carries every request of an export to the http:// sandbox, and the proxy forwarded each one', async () => {
    proxy = await startForwardProxy();
    let result = { code: -1, stdout: '', stderr: '' };
    const served = await servedDuring(async () => {
      result = await runCli(EXPORT, { env: env({ HTTP_PROXY: proxy?.url }) });
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.tunnels.every((target) => target === new URL(sandbox.origin).host)).toBe(true);
    expect(proxy.requests.filter((line) => line.startsWith('GET /crm/rest/v1/'))).toHaveLength(served);
    expect(served).toBeGreaterThan(0);
  });

  it('reads the lower-case variable first, as undici does: http_proxy wins over HTTP_PROXY', async () => {
    proxy = await startForwardProxy();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(EXPORT, { env: env({ http_proxy: proxy.url, HTTP_PROXY: dead }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  it('NO_PROXY names a host reached directly: the proxy sees nothing and the export works', async () => {
    proxy = await startForwardProxy();
    for (const noProxy of ['127.0.0.1', `127.0.0.1:${new URL(sandbox.origin).port}`, '*']) {
      const result = await runCli(EXPORT, { env: env({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }) });
      expect(result.code, `${noProxy}: ${result.stderr}`).toBe(0);
    }
    const other = await runCli(EXPORT, { env: env({ HTTP_PROXY: proxy.url, no_proxy: 'keap.example.com,localhost' }) });
    expect(other.code, other.stderr).toBe(0);
    // Only the last run named other hosts: loopback is not exempt by default.
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    const viaProxy = proxy.requests.length;
    const again = await runCli(EXPORT, { env: env({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) });
    expect(again.code).toBe(0);
    expect(proxy.requests.length).toBe(viaProxy);
  });

  it('HTTPS_PROXY alone is for https:// targets: the http:// sandbox is reached directly', async () => {
    proxy = await startForwardProxy();
    const result = await runCli(EXPORT, { env: env({ HTTPS_PROXY: proxy.url }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  it('--proxy URL sends every request through that proxy, in place of the variables', async () => {
    proxy = await startForwardProxy();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['--proxy', proxy.url, ...EXPORT], { env: env({ HTTP_PROXY: dead, HTTPS_PROXY: dead }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests.filter((line) => line.startsWith('GET /crm/rest/v1/contacts')).length).toBeGreaterThan(0);
  });

  it('--sandbox never goes through a proxy: the sandbox lives in this process', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['--sandbox', ...EXPORT], { env: { ...NO_PROXY_VARIABLES, HTTP_PROXY: dead } });
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('proxy credentials', () => {
  const user = 'proxy-user';
  const password = 'pr0xy-Pa55word-xyz';
  registerSecret(password);

  it('refuses a --proxy with a password (exit 2) before any request, and does not print the password', async () => {
    proxy = await startForwardProxy({ user, password });
    const withCredentials = proxy.url.replace('http://', `http://${user}:${password}@`);
    const served = await servedDuring(async () => {
      for (const flag of [withCredentials, proxy?.url.replace('http://', `http://${user}@`) as string]) {
        const result = await runCli(['--proxy', flag, ...EXPORT], { env: env({}) });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(/--proxy must not carry a user name or password .*flags show in `ps`/);
        expect(result.stderr).toMatch(/HTTPS_PROXY/);
        expect(result.stderr).not.toContain(password);
        expect(result.stdout).toBe('');
      }
    });
    expect(served).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  it('sends the credentials in the variable to the proxy, and never prints them, even with --verbose', async () => {
    proxy = await startForwardProxy({ user, password });
    const withCredentials = proxy.url.replace('http://', `http://${user}:${password}@`);
    const result = await runCli(['--verbose', ...EXPORT], { env: env({ HTTPS_PROXY: withCredentials, HTTP_PROXY: withCredentials }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.refused).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(result.stderr).toContain(`http:// through http://***@127.0.0.1:${proxy.port} (HTTP_PROXY)`);
    expect(result.stderr).not.toContain(password);
    expect(result.stderr).not.toContain(Buffer.from(`${user}:${password}`).toString('base64'));
  });

  it('a --proxy naming the proxy of a variable borrows its credentials', async () => {
    proxy = await startForwardProxy({ user, password });
    const withCredentials = proxy.url.replace('http://', `http://${user}:${password}@`);
    const result = await runCli(['--proxy', proxy.url, ...EXPORT], { env: env({ HTTPS_PROXY: withCredentials }) });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.refused).toBe(0);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  it('a proxy that refuses the credentials (407) fails the run without printing them', async () => {
    proxy = await startForwardProxy({ user, password: 'the-right-one' });
    const wrong = proxy.url.replace('http://', `http://${user}:${password}@`);
    const result = await runCli(['--verbose', ...EXPORT], { env: env({ HTTP_PROXY: wrong }) });
    expect(result.code).toBe(1);
    expect(proxy.refused).toBeGreaterThan(0);
    expect(result.stderr).toMatch(
      /through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+, from HTTP_PROXY, which refused its credentials: 407/,
    );
    expect(result.stderr).toContain('check the user name and password in HTTP_PROXY');
    expect(result.stderr).not.toContain(password);
  }, 60_000);
});
