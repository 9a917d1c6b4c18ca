/**
 * What the other `auth` commands do with a stored profile: say which credential a run uses and
 * where it comes from (in the order of auth/resolver.ts, as every command), hand out a valid token,
 * refresh on demand, and log out.
 */
import { UsageError } from '../errors.js';
import { forgetProfile, type LogoutResult } from './forget.js';
import { quotaHeaders, readProfile, readProfiles, updateProfile, type Profile } from './profiles.js';
import { chooseCredential, notLoggedIn, resolveCredential, storesOf, type ProfileRef } from './resolver.js';
import { refreshUnderLock } from './source.js';

// Where commands found them before the resolver owned them.
export { notLoggedIn, type ProfileRef } from './resolver.js';

/**
 * Keeps the quota and throttle headers of a run's last answer with the stored login, so `auth
 * status` shows the state of the last run, not of the login.
 */
export async function rememberQuota(ref: ProfileRef, headers: Record<string, string>, seenAt: string): Promise<void> {
  const quota = quotaHeaders(headers);
  if (Object.keys(quota).length === 0) return;
  await updateProfile(ref.paths, ref.profileName, (current) => (current ? { ...current, quota, quotaSeenAt: seenAt } : current));
}

export interface AuthStatus {
  profile: string;
  /** Where the credential in use comes from. */
  source: 'environment' | 'keychain' | 'file';
  /** The variable, or the profile, that holds it. */
  sourceName: string;
  kind: 'oauth' | 'key' | 'access-token';
  user?: Profile['user'];
  app?: string;
  tenant?: string;
  apiUrl?: string;
  accessTokenExpiresAt?: string;
  refreshTokenIssuedAt?: string;
  refreshTokenAgeDays?: number;
  quota?: Record<string, string>;
  quotaSeenAt?: string;
  /** A stored profile exists but the environment wins over it. */
  profileShadowed?: boolean;
  /** A credential variable that is set but not used, because the profile was named. */
  environmentIgnored?: string;
  /** The profile is the default set by `auth switch`. */
  switchedDefault?: boolean;
  /** From 30 days on: Keap staff quote 45 days of life for a refresh token (unconfirmed; maybe 180). */
  refreshTokenMayExpire?: boolean;
  /** Keap refused this refresh token when a run last tried it (cleared by a refresh or a login). */
  refreshRefusedAt?: string;
  refreshRefusal?: string;
  /** Why this run cannot reach the keychain that holds the credential. */
  keychainUnreachable?: string;
  /** `auth status --check`: the outcome of one authenticated request. */
  check?: { ok: boolean; request: string; error?: string };
}

/** Age from which status warns that a refresh token may die (Keap staff quote 45 days). */
export const REFRESH_TOKEN_WARN_DAYS = 30;

/**
 * What `auth status` shows: the credential every other command would use (`chooseCredential`).
 * Reads no secret, so it works where the keychain is out of reach.
 */
export async function authStatus(ref: ProfileRef, now = Date.now()): Promise<AuthStatus> {
  const choice = await chooseCredential(ref);
  if (!choice) throw notLoggedIn(ref);
  if (choice.from === 'environment') {
    // Only a note here: a run that uses the variable never reads the config, so status does not fail on it either.
    const shadowed = await readProfile(ref.paths, ref.profileName).catch(() => undefined);
    return {
      profile: ref.profileName,
      source: 'environment',
      sourceName: choice.variable,
      kind: choice.source.scheme === 'api-key' ? 'key' : 'access-token',
      ...(shadowed ? { profileShadowed: true } : {}),
    };
  }
  return profileStatus(ref, choice.profile, choice.environmentIgnored, now);
}

function profileStatus(ref: ProfileRef, profile: Profile, environmentIgnored: string | undefined, now: number): AuthStatus {
  const status: AuthStatus = {
    profile: ref.profileName,
    source: profile.storage,
    sourceName: `profile "${ref.profileName}"`,
    kind: profile.kind,
    apiUrl: profile.apiUrl,
  };
  if (environmentIgnored) status.environmentIgnored = environmentIgnored;
  if (ref.switched) status.switchedDefault = true;
  if (profile.user) status.user = profile.user;
  if (profile.app) status.app = profile.app;
  if (profile.tenant) status.tenant = profile.tenant;
  if (profile.accessTokenExpiresAt) status.accessTokenExpiresAt = profile.accessTokenExpiresAt;
  if (profile.refreshTokenIssuedAt) {
    status.refreshTokenIssuedAt = profile.refreshTokenIssuedAt;
    status.refreshTokenAgeDays = Math.floor((now - Date.parse(profile.refreshTokenIssuedAt)) / 86_400_000);
    if (profile.kind === 'oauth' && status.refreshTokenAgeDays >= REFRESH_TOKEN_WARN_DAYS) status.refreshTokenMayExpire = true;
  }
  if (profile.refreshRefusedAt) {
    status.refreshRefusedAt = profile.refreshRefusedAt;
    if (profile.refreshRefusal) status.refreshRefusal = profile.refreshRefusal;
  }
  const unreachable = profile.storage === 'keychain' ? storesOf(ref).keychainUnreachableReason() : undefined;
  if (unreachable) status.keychainUnreachable = unreachable;
  if (profile.quota && Object.keys(profile.quota).length) status.quota = profile.quota;
  if (profile.quotaSeenAt) status.quotaSeenAt = profile.quotaSeenAt;
  return status;
}

/** A valid credential for scripts: the access token (refreshed first if needed), or the key. */
export async function currentToken(ref: ProfileRef): Promise<string> {
  const resolved = await resolveCredential(ref);
  if (!resolved) throw notLoggedIn(ref);
  const header = await resolved.source.header();
  const value = header.authorization?.replace(/^Bearer\s+/i, '') ?? header['x-keap-api-key'];
  if (!value) throw notLoggedIn(ref);
  return value;
}

/** `auth refresh`: a new token pair now, whatever the expiry. */
export async function refreshNow(ref: ProfileRef): Promise<Profile> {
  const profile = await readProfile(ref.paths, ref.profileName);
  if (!profile) throw notLoggedIn(ref);
  if (profile.kind === 'key') {
    throw new UsageError(
      `profile "${ref.profileName}" holds a key (Personal Access Token or Service Account Key), which has nothing to refresh`,
      {
        hint: 'keys do not expire; only OAuth logins are refreshed',
      },
    );
  }
  const store = storesOf(ref).storeFor(profile.storage, ref.paths);
  const seen = await store.read(ref.profileName);
  if (seen?.kind !== 'oauth') throw notLoggedIn(ref);
  const options = { paths: ref.paths, profileName: ref.profileName, profile, store, ...(ref.log ? { log: ref.log } : {}) };
  await refreshUnderLock(options, seen, true);
  return (await readProfile(ref.paths, ref.profileName)) ?? profile;
}

/**
 * `auth logout`: the secret leaves wherever it lives, then the profile goes; the profile goes even
 * when the secret's store cannot be reached (forget.ts).
 */
export async function logout(ref: ProfileRef): Promise<LogoutResult> {
  const profile = await readProfile(ref.paths, ref.profileName);
  if (!profile) throw notLoggedIn(ref);
  return forgetProfile(ref.paths, ref.profileName, profile, storesOf(ref));
}

/** `auth logout --all`: every stored profile, one after the other. */
export async function logoutAll(ref: ProfileRef): Promise<LogoutResult[]> {
  const results: LogoutResult[] = [];
  for (const [name, profile] of Object.entries(await readProfiles(ref.paths))) {
    results.push(await forgetProfile(ref.paths, name, profile, storesOf(ref)));
  }
  return results;
}
