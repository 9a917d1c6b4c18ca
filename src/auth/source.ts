/**
 * The credential source of a stored profile (DESIGN.md section 4). A key is sent as it is. An OAuth
 * login refreshes its access token when less than 5 minutes or a tenth of its lifetime is left
 * (whichever is smaller), and once after a 401. Refreshing is single-flight across processes: under
 * a lock file, the store is read again and a token another process already refreshed is used
 * instead of refreshing twice; Keap's refresh tokens rotate, so the new pair is stored before it is
 * used.
 */
import { join } from 'node:path';
import { OAuthError, refreshTokens, type OAuthClient, type TokenSet } from '../api/oauth.js';
import type { CredentialSource } from '../api/types.js';
import { AuthError } from '../errors.js';
import { ensureDir, withFileLock } from '../fs/index.js';
import { updateProfile, type AuthPaths, type Profile } from './profiles.js';
import type { SecretStore, StoredSecret } from './secrets.js';

type OAuthSecret = Extract<StoredSecret, { kind: 'oauth' }>;

export interface StoredSourceOptions {
  paths: AuthPaths;
  profileName: string;
  profile: Profile;
  store: SecretStore;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
  /** Where `--verbose` lines about token refreshes go (`POST /token -> 200`, never a token). */
  log?: (line: string) => void;
}

const MAX_MARGIN_MS = 5 * 60_000;
/** Keap staff quote 45 days of life for a refresh token (unconfirmed: another reply says 180). */
const REFRESH_TOKEN_QUOTED_DAYS = 45;
/** Longest wait for another process's refresh; a refresh is one request with a 60 s timeout. */
const REFRESH_LOCK_WAIT_MS = 90_000;

/** The command that fixes a dead login, for hints. */
export function loginCommand(profileName: string): string {
  return `infusionsoft auth login${profileName === 'default' ? '' : ` --profile ${profileName}`}`;
}

/** True when the access token is expired or close enough to expiry to refresh it first. */
export function needsRefresh(secret: OAuthSecret, now: number): boolean {
  const margin = Math.min(MAX_MARGIN_MS, (secret.lifetime * 1000) / 10);
  return secret.expiresAt - now < margin;
}

/** The stored pair after a successful token call, stamped with the times status shows. */
export function secretFromTokens(tokens: TokenSet, clientSecret: string, now: number): OAuthSecret {
  return {
    kind: 'oauth',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: now + tokens.expiresIn * 1000,
    lifetime: tokens.expiresIn,
    issuedAt: now,
    clientSecret,
  };
}

export function storedCredentialSource(options: StoredSourceOptions): CredentialSource {
  const { profileName, profile, store } = options;
  const origin = `profile "${profileName}" (${profile.storage === 'keychain' ? 'keychain' : 'file'})`;
  const from = { kind: 'profile', name: profileName, storage: profile.storage } as const;
  // The API the credential was issued for: the client refuses to send it anywhere else.
  const apiOrigin = new URL(profile.apiUrl).origin;
  const missing = () =>
    new AuthError(`profile "${profileName}" has no stored credential`, {
      problem: 'missing',
      hint: `run: ${loginCommand(profileName)}`,
    });
  let loaded: Promise<StoredSecret> | undefined;
  // The run's signal: a keychain that does not answer must not hold up Ctrl-C or SIGTERM.
  const load = (signal?: AbortSignal) => {
    loaded ??= store.read(profileName, signal).then((secret) => {
      if (!secret || secret.kind !== profile.kind) throw missing();
      return secret;
    });
    return loaded;
  };

  if (profile.kind === 'key') {
    return {
      scheme: 'api-key',
      origin: apiOrigin,
      from,
      describe: () => origin,
      header: async (signal) => {
        const secret = await load(signal);
        return { 'x-keap-api-key': (secret as Extract<StoredSecret, { kind: 'key' }>).key };
      },
      onUnauthorized: async () => false,
    };
  }

  const now = options.now ?? Date.now;
  let current: OAuthSecret | undefined;
  let inflight: Promise<OAuthSecret> | undefined;
  // One refresh at a time in this process too: requests in flight together share it.
  const refresh = (seen: OAuthSecret, force: boolean): Promise<OAuthSecret> => {
    inflight ??= refreshUnderLock(options, seen, force, now).finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  return {
    scheme: 'bearer',
    origin: apiOrigin,
    from,
    describe: () => origin,
    async header(signal) {
      current ??= (await load(signal)) as OAuthSecret;
      if (needsRefresh(current, now())) current = await refresh(current, false);
      return { authorization: `Bearer ${current.accessToken}` };
    },
    async onUnauthorized() {
      const seen = current ?? ((await load()) as OAuthSecret);
      current = await refresh(seen, true);
      return current.accessToken !== seen.accessToken;
    },
  };
}

/**
 * Refreshes under the profile's lock, or adopts what another process stored meanwhile. `force`:
 * Keap refused `seen`'s access token, so refresh even if its expiry looks fine.
 */
export async function refreshUnderLock(
  options: StoredSourceOptions,
  seen: OAuthSecret,
  force: boolean,
  now: () => number = Date.now,
): Promise<OAuthSecret> {
  const { paths, profileName, profile, store } = options;
  await ensureDir(paths.locksDir, 0o700);
  return withFileLock(
    join(paths.locksDir, `${profileName}.refresh.lock`),
    async () => {
      const stored = await store.read(profileName);
      if (stored?.kind !== 'oauth') {
        throw new AuthError(`profile "${profileName}" has no stored OAuth login`, {
          problem: 'missing',
          hint: `run: ${loginCommand(profileName)}`,
        });
      }
      // Another process refreshed while this one waited: use its token, do not rotate again.
      if (stored.accessToken !== seen.accessToken && !needsRefresh(stored, now())) return stored;
      if (!force && !needsRefresh(stored, now())) return stored;
      return refreshStored(options, stored, now);
    },
    {
      timeoutMs: REFRESH_LOCK_WAIT_MS,
      label: `the token refresh of profile "${profileName}"`,
      busyHint: `if no other infusionsoft run is refreshing, delete ${join(paths.locksDir, `${profileName}.refresh.lock`)}`,
    },
  ).then(async (secret) => {
    if (secret.accessToken !== seen.accessToken) await recordTimes(paths, profileName, secret);
    return secret;
  });

  async function refreshStored(opts: StoredSourceOptions, stored: OAuthSecret, clock: () => number): Promise<OAuthSecret> {
    const client = oauthClient(profile, stored.clientSecret, profileName);
    let tokens: TokenSet;
    const started = Date.now();
    const logAnswer = (status: number | string) =>
      opts.log?.(
        `POST ${new URL(client.tokenUrl).pathname} -> ${status} (${Date.now() - started} ms; refresh of profile "${profileName}")`,
      );
    try {
      tokens = await refreshTokens(client, stored.refreshToken);
      logAnswer(200);
    } catch (error) {
      logAnswer(error instanceof OAuthError ? error.status : 'no answer');
      if (error instanceof OAuthError && error.refreshTokenRejected) {
        // The pair may have changed under us (a process that did not wait for the lock): use it.
        // Never delete what is stored: it may be newer than what was refused.
        const again = await opts.store.read(profileName);
        if (again?.kind === 'oauth' && again.refreshToken !== stored.refreshToken) return again;
        await recordRefusal(paths, profileName, error.description || error.oauthCode, clock());
        throw refusedRefreshToken(profileName, profile, stored, error, clock());
      }
      if (error instanceof OAuthError && error.oauthCode === 'invalid_client') {
        throw new AuthError(`Keap refused the OAuth app of profile "${profileName}" (client id ${client.clientId}): ${error.description}`, {
          problem: 'refused',
          hint: `check the app's key pair, then log in again: ${loginCommand(profileName)}`,
          cause: error,
        });
      }
      throw error;
    }
    const next = secretFromTokens(tokens, stored.clientSecret, clock());
    // Stored before anything uses it: the old refresh token is already dead.
    await opts.store.write(profileName, next);
    return next;
  }
}

export function oauthClient(profile: Profile, clientSecret: string, profileName: string): OAuthClient {
  if (!profile.tokenUrl || !profile.clientId) {
    throw new AuthError(`profile "${profileName}" lacks its OAuth app (token URL and client id)`, {
      problem: 'missing',
      hint: `log in again: ${loginCommand(profileName)}`,
    });
  }
  return { tokenUrl: profile.tokenUrl, clientId: profile.clientId, clientSecret };
}

async function recordTimes(paths: AuthPaths, profileName: string, secret: OAuthSecret): Promise<void> {
  await updateProfile(paths, profileName, (current) => {
    if (!current) return current;
    // A refresh that worked ends what status says about an earlier refusal.
    const { refreshRefusedAt: _at, refreshRefusal: _why, ...rest } = current;
    return {
      ...rest,
      accessTokenExpiresAt: new Date(secret.expiresAt).toISOString(),
      refreshTokenIssuedAt: new Date(secret.issuedAt).toISOString(),
    };
  });
}

/** Kept so `auth status` can say it without asking Keap; best effort, the refusal is what matters. */
async function recordRefusal(paths: AuthPaths, profileName: string, reason: string, now: number): Promise<void> {
  await updateProfile(paths, profileName, (current) =>
    current ? { ...current, refreshRefusedAt: new Date(now).toISOString(), refreshRefusal: reason } : current,
  ).catch(() => undefined);
}

/** The monthly cron line that keeps an idle refresh token alive (docs/auth.md, From cron). */
export function refreshCronLine(profileName: string): string {
  return `0 3 1 * *  infusionsoft${profileName === 'default' ? '' : ` --profile ${profileName}`} auth refresh 2>> auth.log`;
}

/** Age of the refresh token in whole days, from `refreshTokenIssuedAt` (else the secret's stamp). */
function refreshTokenAgeDays(profile: Profile, secret: OAuthSecret, now: number): number {
  const issued = profile.refreshTokenIssuedAt ? Date.parse(profile.refreshTokenIssuedAt) : secret.issuedAt;
  return Math.floor((now - issued) / 86_400_000);
}

function refusedRefreshToken(profileName: string, profile: Profile, stored: OAuthSecret, error: OAuthError, now: number): AuthError {
  const age = refreshTokenAgeDays(profile, stored, now);
  const why = error.description || error.oauthCode;
  if (age >= REFRESH_TOKEN_QUOTED_DAYS) {
    return new AuthError(
      `Keap refused the refresh token of profile "${profileName}" (${why}): it was issued ${age} days ago, so it probably aged out (Keap staff quote ${REFRESH_TOKEN_QUOTED_DAYS} days)`,
      {
        problem: 'refused',
        hint: `log in again: ${loginCommand(profileName)}; then keep the login alive with a monthly cron line:\n  ${refreshCronLine(profileName)}`,
        cause: error,
      },
    );
  }
  return new AuthError(
    `Keap refused the refresh token of profile "${profileName}" (${why}): it expired, was used elsewhere, or the app was authorised again`,
    { problem: 'refused', hint: `log in again: ${loginCommand(profileName)}`, cause: error },
  );
}
