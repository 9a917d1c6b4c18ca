/**
 * The stored profile's credential source against the sandbox's real token endpoint: when it
 * refreshes, that it refreshes once however many ask, that it stores the rotated pair before using
 * it, and what it does when the refresh token is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exchangeCode, refreshTokens } from '../../src/api/oauth.js';
import { authPaths, readProfile, updateProfile, type AuthPaths, type Profile } from '../../src/auth/profiles.js';
import { fileStore, type SecretStore, type StoredSecret } from '../../src/auth/secrets.js';
import { needsRefresh, secretFromTokens, storedCredentialSource } from '../../src/auth/source.js';
import { AuthError, ExitCode } from '../../src/errors.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { authorizeUrlFor, pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './oauth-walk.js';

type OAuthSecret = Extract<StoredSecret, { kind: 'oauth' }>;
const REDIRECT = 'http://127.0.0.1:9/callback';
const LIFETIME_S = 100;

let sandbox: SandboxHandle;
let dir: string;
let paths: AuthPaths;
let store: SecretStore;
let profile: Profile;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, tokenLifetime: LIFETIME_S });
});
afterAll(() => sandbox?.close());

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'infusionsoft-source-'));
  paths = authPaths(join(dir, 'config'));
  store = fileStore(paths);
  profile = {
    kind: 'oauth',
    storage: 'file',
    apiUrl: sandbox.apiUrl,
    tokenUrl: `${sandbox.origin}/token`,
    clientId: SANDBOX_CLIENT_ID,
    loggedInAt: new Date().toISOString(),
  };
  await updateProfile(paths, 'default', () => profile);
  await store.write('default', await freshLogin());
  return () => rmSync(dir, { recursive: true, force: true });
});

async function freshLogin(): Promise<OAuthSecret> {
  const landed = await pressOnAuthorizePage(authorizeUrlFor(sandbox.origin, REDIRECT));
  const client = { tokenUrl: `${sandbox.origin}/token`, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET };
  return secretFromTokens(
    await exchangeCode(client, landed.searchParams.get('code') as string, REDIRECT),
    SANDBOX_CLIENT_SECRET,
    Date.now(),
  );
}

async function stored(): Promise<OAuthSecret> {
  return (await store.read('default')) as OAuthSecret;
}

async function refreshes(): Promise<number> {
  return ((await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json()) as { refreshes: number }).refreshes;
}

/** A clock this far into the token's life (in seconds). */
const at = (seconds: number) => () => Date.now() + seconds * 1000;

function source(now: () => number, withStore: SecretStore = store) {
  return storedCredentialSource({ paths, profileName: 'default', profile, store: withStore, now });
}

describe('when to refresh', () => {
  const secret = (lifetime: number, leftMs: number): OAuthSecret => ({
    kind: 'oauth',
    accessToken: 'a',
    refreshToken: 'r',
    clientSecret: 's',
    issuedAt: 0,
    lifetime,
    expiresAt: 1_000_000 + leftMs,
  });
  it('with 5 minutes left on a day-long token, and a tenth of the lifetime on a short one', () => {
    expect(needsRefresh(secret(86_400, 5 * 60_000 + 1), 1_000_000)).toBe(false);
    expect(needsRefresh(secret(86_400, 5 * 60_000 - 1), 1_000_000)).toBe(true);
    expect(needsRefresh(secret(60, 6_001), 1_000_000)).toBe(false);
    expect(needsRefresh(secret(60, 5_999), 1_000_000)).toBe(true);
  });
});

describe('the refreshing source', () => {
  it('sends a fresh token as it is, without refreshing', async () => {
    const before = await refreshes();
    const login = await stored();
    expect(await source(at(0)).header()).toEqual({ authorization: `Bearer ${login.accessToken}` });
    expect(await refreshes()).toBe(before);
  });

  it('refreshes near expiry, stores the rotated pair before using it, and records the new times', async () => {
    const before = await refreshes();
    const login = await stored();
    const header = await source(at(LIFETIME_S - 5)).header();
    const now = await stored();
    expect(now.refreshToken).not.toBe(login.refreshToken);
    expect(header).toEqual({ authorization: `Bearer ${now.accessToken}` });
    expect(await refreshes()).toBe(before + 1);
    const saved = await readProfile(paths, 'default');
    expect(saved?.accessTokenExpiresAt).toBe(new Date(now.expiresAt).toISOString());
    expect(saved?.refreshTokenIssuedAt).toBe(new Date(now.issuedAt).toISOString());
    // The new token works against the API.
    const me = await fetch(`${sandbox.apiUrl}/oauth/connect/userinfo`, { headers: header });
    expect(me.status).toBe(200);
  });

  it('refreshes once when several sources (as separate processes would) need it at the same time', async () => {
    const before = await refreshes();
    const sources = Array.from({ length: 4 }, () => source(at(LIFETIME_S)));
    const headers = await Promise.all(sources.map((s) => s.header()));
    expect(await refreshes()).toBe(before + 1);
    expect(new Set(headers.map((h) => h.authorization)).size).toBe(1);
  });

  it('after a 401 on a token that looked valid, refreshes once and says to send again', async () => {
    const mine = source(at(0));
    const old = await mine.header();
    const before = await refreshes();
    expect(await mine.onUnauthorized()).toBe(true);
    expect(await refreshes()).toBe(before + 1);
    const now = await mine.header();
    expect(now).not.toEqual(old);
    expect(now).toEqual({ authorization: `Bearer ${(await stored()).accessToken}` });
  });

  it('after a 401, uses the token another process already stored instead of refreshing again', async () => {
    const mine = source(at(0));
    const old = await mine.header();
    // Another process refreshes and stores a new pair.
    await source(at(LIFETIME_S)).header();
    const before = await refreshes();
    expect(await mine.onUnauthorized()).toBe(true);
    expect(await mine.header()).toEqual({ authorization: `Bearer ${(await stored()).accessToken}` });
    expect(await mine.header()).not.toEqual(old);
    expect(await refreshes()).toBe(before);
  });

  it('recovers when it loses the race to a rotated token it had not seen', async () => {
    const client = { tokenUrl: `${sandbox.origin}/token`, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET };
    // A store whose first read inside the lock is stale: another process (not waiting for the
    // lock) rotates the pair right after it.
    let reads = 0;
    const racing: SecretStore = {
      ...store,
      async read(name) {
        const value = (await store.read(name)) as OAuthSecret;
        if (++reads === 2) {
          const rotated = await refreshTokens(client, value.refreshToken);
          await store.write(name, secretFromTokens(rotated, SANDBOX_CLIENT_SECRET, Date.now()));
        }
        return value;
      },
    };
    const header = await source(at(LIFETIME_S), racing).header();
    expect(header).toEqual({ authorization: `Bearer ${(await stored()).accessToken}` });
  });

  it('ends with exit 4 and the login command when the refresh token is refused, and keeps what is stored', async () => {
    const login = await stored();
    // Someone used the refresh token elsewhere (the app authorised again, a copied config).
    await refreshTokens(
      { tokenUrl: `${sandbox.origin}/token`, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET },
      login.refreshToken,
    );
    const error = (await source(at(LIFETIME_S))
      .header()
      .catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.message).toMatch(/refused the refresh token of profile "default"/);
    expect(error.hint).toBe('log in again: infusionsoft auth login');
    expect(error.message).not.toContain(login.refreshToken);
    expect(await stored()).toEqual(login);
  });

  it('says how to log in when the profile has no secret', async () => {
    await store.remove('default');
    const error = (await source(at(0))
      .header()
      .catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.hint).toBe('run: infusionsoft auth login');
  });
});
