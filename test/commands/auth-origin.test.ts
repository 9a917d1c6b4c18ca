/**
 * Where a stored credential may go and which one a run uses (issue 14, items 2, 3 and 7): a stored
 * login is sent only to the API origin it was issued for, an explicit --profile wins over the
 * environment, and `auth status`, `list`, `switch` say what is true. In-process against the
 * sandbox, with a second HTTP server that records every header it receives: it must never see a
 * token.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/auth/login.js';
import { createClient } from '../../src/api/client.js';
import { memorySecretStores } from '../../src/auth/memory-secrets.js';
import { authPaths, readProfile, type Profile } from '../../src/auth/profiles.js';
import { fileStore } from '../../src/auth/secrets.js';
import { storedCredentialSource } from '../../src/auth/source.js';
import { silentReporter } from '../../src/reporter.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, mintTokenPair } from '../auth/oauth-walk.js';
import { runCli, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { registerSecret } from '../support/record.js';

interface Recorder {
  url: string;
  origin: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A host the stored login was not issued for: answers 401 to everything and keeps what it was sent. */
async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end('{"message":"Invalid Access Token"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/crm/rest/v1`,
    origin,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let sandbox: TestSandbox;
let recorder: Recorder;
beforeAll(async () => {
  // Several logins of one app and user here stand for separate users' logins: none ends another's.
  sandbox = await startTestSandbox({ seed: 14, keepEarlierLogins: true });
  recorder = await startRecorder();
  registerSecret(SANDBOX_CLIENT_SECRET);
});
afterAll(async () => {
  await recorder?.close();
  await sandbox?.stop();
});

/** One user's environment: own config folder, the sandbox's OAuth endpoints, no D-Bus (file storage). */
function userEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    INFUSIONSOFT_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'infusionsoft-origin-')),
    INFUSIONSOFT_API_URL: sandbox.apiUrl,
    INFUSIONSOFT_AUTHORIZE_URL: `${sandbox.origin}/app/oauth/authorize`,
    INFUSIONSOFT_TOKEN_URL: `${sandbox.origin}/token`,
    INFUSIONSOFT_CLIENT_ID: SANDBOX_CLIENT_ID,
    INFUSIONSOFT_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    DBUS_SESSION_BUS_ADDRESS: undefined,
    ...extra,
  };
}

const configDir = (env: Record<string, string | undefined>) => env.INFUSIONSOFT_CONFIG_DIR as string;

/** Every token stored under the config folder joins the secret scan's list. */
function registerStored(env: Record<string, string | undefined>): void {
  const folder = join(configDir(env), 'secrets');
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.json')) continue;
    const secret = JSON.parse(readFileSync(join(folder, name), 'utf8')) as Record<string, unknown>;
    for (const key of ['accessToken', 'refreshToken', 'clientSecret', 'key']) {
      if (typeof secret[key] === 'string') registerSecret(secret[key] as string);
    }
  }
}

/**
 * A stored login, made by the login engine itself (the CLI's `auth login` reads the process's own
 * stdin, so the end-to-end tests drive it): an OAuth pair minted on the sandbox and adopted as
 * `--refresh-token` does, or the sandbox's token as a key (`--with-token`).
 */
async function storeLogin(env: Record<string, string | undefined>, kind: 'oauth' | 'key', profileName = 'default') {
  let lines: string[];
  if (kind === 'oauth') {
    const pair = await mintTokenPair(sandbox.origin);
    lines = [pair.refresh_token];
  } else {
    lines = [sandbox.token];
  }
  await login(
    {
      paths: authPaths(configDir(env)),
      profileName,
      apiUrl: sandbox.apiUrl,
      authorizeUrl: `${sandbox.origin}/app/oauth/authorize`,
      tokenUrl: `${sandbox.origin}/token`,
      env: { INFUSIONSOFT_CLIENT_ID: SANDBOX_CLIENT_ID, INFUSIONSOFT_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
      secrets: memorySecretStores(),
      noBrowser: true,
      withToken: kind === 'key',
      refreshToken: kind === 'oauth',
      insecureStorage: true,
      timeoutMs: 10_000,
    },
    {
      reporter: silentReporter,
      prompter: { interactive: false, readLine: async () => lines.shift(), close: () => undefined },
      openBrowser: async () => undefined,
    },
  );
  registerStored(env);
}
const oauthLogin = (env: Record<string, string | undefined>, profile?: string) => storeLogin(env, 'oauth', profile);
const keyLogin = (env: Record<string, string | undefined>, profile?: string) => storeLogin(env, 'key', profile);

const secretFile = (env: Record<string, string | undefined>, profile = 'default') => join(configDir(env), 'secrets', `${profile}.json`);
const configFile = (env: Record<string, string | undefined>) => join(configDir(env), 'config.json');

/** Changes the stored profile as time would have (an older refresh token, an expired access token). */
function editProfile(env: Record<string, string | undefined>, profile: string, change: (p: Record<string, unknown>) => void): void {
  const config = JSON.parse(readFileSync(configFile(env), 'utf8'));
  change(config.profiles[profile]);
  writeFileSync(configFile(env), JSON.stringify(config, null, 2));
}
function expireAccessToken(env: Record<string, string | undefined>, profile = 'default'): void {
  const secret = JSON.parse(readFileSync(secretFile(env, profile), 'utf8'));
  secret.expiresAt = Date.now() - 60_000;
  writeFileSync(secretFile(env, profile), JSON.stringify(secret));
}
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** A stored pair whose refresh token was rotated out (a restored backup), with its access token expired. */
async function rotatedOut(env: Record<string, string | undefined>, profile = 'default'): Promise<void> {
  const file = secretFile(env, profile);
  copyFileSync(file, `${file}.old`);
  const refresh = await runCli(['--profile', profile, 'auth', 'refresh'], { env });
  expect(refresh.code, refresh.stderr).toBe(0);
  registerStored(env);
  copyFileSync(`${file}.old`, file);
  expireAccessToken(env, profile);
}

describe('a stored credential goes only to the API origin it was issued for', () => {
  it('a stray INFUSIONSOFT_API_URL is refused before any request: no token sent, no refresh', async () => {
    const env = userEnv();
    await oauthLogin(env);
    const stored = readFileSync(secretFile(env), 'utf8');
    const before = await sandbox.stats();
    const seen = recorder.requests.length;

    const result = await runCli(['export', 'tags', '--format', 'ndjson'], { env: { ...env, INFUSIONSOFT_API_URL: recorder.url } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(sandbox.origin);
    expect(result.stderr).toContain(recorder.origin);
    expect(result.stderr).toMatch(/INFUSIONSOFT_API_URL/);
    expect(result.stderr).not.toMatch(/log in again/);
    expect(recorder.requests.slice(seen)).toEqual([]);
    expect((await sandbox.stats()).refreshes).toBe(before.refreshes);
    expect(readFileSync(secretFile(env), 'utf8')).toBe(stored);
  });

  it('--api-url to another host is refused for a stored key too; the same origin is used', async () => {
    const env = userEnv();
    await keyLogin(env, 'server');
    const seen = recorder.requests.length;
    const result = await runCli(['--profile', 'server', '--api-url', recorder.url, 'api', 'GET', '/tags'], {
      env: { ...env, INFUSIONSOFT_API_URL: undefined },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--api-url/);
    expect(result.stderr).toContain(recorder.origin);
    for (const request of recorder.requests.slice(seen)) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['x-keap-api-key']).toBeUndefined();
    }
    expect(recorder.requests.slice(seen)).toEqual([]);

    const same = await runCli(['--profile', 'server', '--api-url', sandbox.apiUrl, 'api', 'GET', '/tags'], { env });
    expect(same.code, same.stderr).toBe(0);
  });
  it('the client itself refuses to carry a stored credential to another origin', async () => {
    const env = userEnv();
    await keyLogin(env);
    const paths = authPaths(configDir(env));
    const profile = (await readProfile(paths, 'default')) as Profile;
    const credentials = storedCredentialSource({ paths, profileName: 'default', profile, store: fileStore(paths) });
    expect(() => createClient({ baseUrl: recorder.url, credentials })).toThrow(/issued for http:\/\/127\.0\.0\.1/);
  });
});

describe('an explicit --profile is obeyed', () => {
  it('--profile and INFUSIONSOFT_PROFILE win over INFUSIONSOFT_API_KEY, saying so once', async () => {
    const env = userEnv();
    await keyLogin(env, 'client-b');
    const clientA = 'KeapAK-client-a-key-000000000000';
    registerSecret(clientA);
    for (const named of [{ args: ['--profile', 'client-b'] }, { args: [], extra: { INFUSIONSOFT_PROFILE: 'client-b' } }]) {
      const result = await runCli([...named.args, 'export', 'tags', '--format', 'ndjson', '--max', '2'], {
        env: { ...env, INFUSIONSOFT_API_KEY: clientA, ...named.extra },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(2);
      expect(result.stderr.match(/INFUSIONSOFT_API_KEY is set but not used/g)).toHaveLength(1);
    }
    const status = await runCli(['--profile', 'client-b', 'auth', 'status', '--json'], { env: { ...env, INFUSIONSOFT_API_KEY: clientA } });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      profile: 'client-b',
      source: 'file',
      kind: 'key',
      environmentIgnored: 'INFUSIONSOFT_API_KEY',
    });
  });

  it('auth token prints the named profile, not the environment, and says so', async () => {
    const env = userEnv();
    await keyLogin(env, 'client-b');
    const clientA = 'KeapAK-client-a-key-111111111111';
    registerSecret(clientA);
    const token = await runCli(['--profile', 'client-b', 'auth', 'token'], { env: { ...env, INFUSIONSOFT_API_KEY: clientA } });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toBe(`${sandbox.token}\n`);
    expect(token.stderr).toMatch(/INFUSIONSOFT_API_KEY is set but not used/);
  });

  it('with a credential in the environment and no profile named, a config it cannot read does not matter', async () => {
    const env = userEnv(sandbox.env);
    writeFileSync(configFile(env), 'not json');
    const result = await runCli(['export', 'tags', '--format', 'ndjson', '--max', '1'], { env });
    expect(result.code, result.stderr).toBe(0);
  });

  it('a named profile that does not exist is exit 4 even with a credential in the environment', async () => {
    const env = userEnv(sandbox.env);
    const result = await runCli(['--profile', 'nope', 'export', 'tags'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/no stored login named "nope"/);
    const fromEnv = await runCli(['export', 'tags', '--max', '1'], { env: { ...env, INFUSIONSOFT_PROFILE: 'nope' } });
    expect(fromEnv.code).toBe(4);
  });

  it('a default set by auth switch is not explicit: the environment still wins over it', async () => {
    const env = userEnv();
    await keyLogin(env);
    await oauthLogin(env, 'work');
    const missing = await runCli(['auth', 'switch', 'nobody'], { env });
    expect(missing.code).toBe(4);
    const switched = await runCli(['auth', 'switch', 'work'], { env });
    expect(switched.code, switched.stderr).toBe(0);
    expect(JSON.parse(readFileSync(configFile(env), 'utf8')).defaultProfile).toBe('work');

    const status = await runCli(['auth', 'status', '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ profile: 'work', kind: 'oauth' });
    const shadowed = await runCli(['auth', 'status', '--json'], { env: { ...env, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token } });
    expect(JSON.parse(shadowed.stdout)).toMatchObject({
      source: 'environment',
      sourceName: 'INFUSIONSOFT_ACCESS_TOKEN',
      profileShadowed: true,
    });
    // A later login of another profile keeps the default.
    await keyLogin(env, 'other');
    expect(JSON.parse(readFileSync(configFile(env), 'utf8')).defaultProfile).toBe('work');
  });
});

describe('auth status, list and the messages around a login', () => {
  it('status --check makes one authenticated request and refreshes when due', async () => {
    const env = userEnv();
    await oauthLogin(env);
    const before = await sandbox.stats();
    const checked = await runCli(['auth', 'status', '--check'], { env });
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/check: +ok/);
    const after = await sandbox.stats();
    expect(after.requests['GET /oauth/connect/userinfo']).toBe((before.requests['GET /oauth/connect/userinfo'] ?? 0) + 1);
    expect(after.refreshes).toBe(before.refreshes);

    expireAccessToken(env);
    const due = await runCli(['--verbose', 'auth', 'status', '--check'], { env });
    registerStored(env);
    expect(due.code, due.stderr).toBe(0);
    expect((await sandbox.stats()).refreshes).toBe(after.refreshes + 1);
    expect(due.stderr).toMatch(/POST \/token -> 200/);
  });

  it('status --check fails with exit 4 on a refused refresh; plain status then says so', async () => {
    const env = userEnv();
    await oauthLogin(env);
    await rotatedOut(env);
    const checked = await runCli(['auth', 'status', '--check'], { env });
    expect(checked.code).toBe(4);
    expect(checked.stderr).toMatch(/refused the refresh token/);
    const plain = await runCli(['auth', 'status'], { env });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/Keap refused this refresh token/);
    expect(plain.stdout).toMatch(/infusionsoft auth login/);
  });

  it('warns from 30 days that the refresh token may expire at 45, and says a refusal after 45 days was probably age', async () => {
    const env = userEnv();
    await oauthLogin(env);
    editProfile(env, 'default', (p) => {
      p.refreshTokenIssuedAt = daysAgo(35);
    });
    const status = await runCli(['auth', 'status'], { env });
    expect(status.stdout).toMatch(/35 days ago/);
    expect(status.stdout).toMatch(/may expire at 45 days/);
    expect(status.stdout).toMatch(/infusionsoft auth refresh/);
    const young = userEnv();
    await oauthLogin(young);
    expect((await runCli(['auth', 'status'], { env: young })).stdout).not.toMatch(/may expire/);

    await rotatedOut(env);
    editProfile(env, 'default', (p) => {
      p.refreshTokenIssuedAt = daysAgo(50);
    });
    const exported = await runCli(['export', 'tags'], { env });
    expect(exported.code).toBe(4);
    expect(exported.stderr).toMatch(/probably aged out/);
    expect(exported.stderr).toContain('0 3 1 * *  infusionsoft auth refresh');
  });

  it('status says when the keychain holding the login cannot be reached by this run', async () => {
    const env = userEnv();
    await keyLogin(env);
    editProfile(env, 'default', (p) => {
      p.storage = 'keychain';
    });
    const status = await runCli(['auth', 'status'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/keychain.*cannot reach.*D-Bus/);
  });

  it('auth list shows every profile with user, account, storage and API origin', async () => {
    const env = userEnv();
    await keyLogin(env);
    await oauthLogin(env, 'work');
    const listed = await runCli(['auth', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const { profiles } = JSON.parse(listed.stdout);
    expect(profiles).toEqual([
      expect.objectContaining({ name: 'default', default: true, kind: 'key', storage: 'file', apiOrigin: sandbox.origin }),
      expect.objectContaining({
        name: 'work',
        default: false,
        kind: 'oauth',
        storage: 'file',
        apiOrigin: sandbox.origin,
        user: expect.objectContaining({ email: 'user1@sandbox.example.com' }),
        app: 'sandbox.infusionsoft.com',
      }),
    ]);
    const human = await runCli(['auth', 'list'], { env });
    expect(human.stdout).toMatch(/^\* default .*file/m);
    expect(human.stdout).toMatch(/^ {2}work .*user1@sandbox\.example\.com/m);
  });
});
