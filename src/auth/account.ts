/**
 * What the other `auth` commands do with a stored profile: find the credential a run uses (the
 * environment wins, DESIGN.md section 2), say where it comes from, hand out a valid token, refresh
 * on demand, and log out.
 */
import { credentialSourceFromEnv } from '../api/credentials.js';
import type { CredentialSource } from '../api/types.js';
import { AuthError, UsageError } from '../errors.js';
import { forgetProfile, type LogoutResult } from './forget.js';
import { quotaHeaders, readProfile, readProfiles, updateProfile, type AuthPaths, type Profile } from './profiles.js';
import { storeFor } from './secrets.js';
import { loginCommand, refreshUnderLock, storedCredentialSource } from './source.js';

export interface ProfileRef {
  paths: AuthPaths;
  profileName: string;
  /** Whether the name was asked for (`--profile`, INFUSIONSOFT_PROFILE) rather than the default. */
  explicit: boolean;
  env: NodeJS.ProcessEnv;
}

export interface ResolvedCredential {
  source: CredentialSource;
  /** The stored profile, when the credential is one. */
  profile?: Profile;
}

const ENV_VARIABLES = ['INFUSIONSOFT_ACCESS_TOKEN', 'INFUSIONSOFT_API_KEY'] as const;

function notLoggedIn(ref: ProfileRef): AuthError {
  return new AuthError(ref.explicit ? `there is no stored login named "${ref.profileName}"` : 'not logged in to Keap', {
    problem: 'missing',
    hint: `run: ${loginCommand(ref.profileName)} (or set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN)`,
  });
}

/**
 * The credential a run uses: INFUSIONSOFT_ACCESS_TOKEN, then INFUSIONSOFT_API_KEY, then the stored
 * profile. Undefined when there is none and no profile was named (commands that can work offline
 * go on); a named profile that does not exist is an error.
 */
/**
 * Keeps the quota and throttle headers of a run's last answer with the stored login, so `auth
 * status` shows the state of the last run, not of the login.
 */
export async function rememberQuota(ref: ProfileRef, headers: Record<string, string>, seenAt: string): Promise<void> {
  const quota = quotaHeaders(headers);
  if (Object.keys(quota).length === 0) return;
  await updateProfile(ref.paths, ref.profileName, (current) => (current ? { ...current, quota, quotaSeenAt: seenAt } : current));
}

export async function resolveCredential(ref: ProfileRef): Promise<ResolvedCredential | undefined> {
  const fromEnv = credentialSourceFromEnv(ref.env);
  if (fromEnv) return { source: fromEnv };
  const profile = await readProfile(ref.paths, ref.profileName);
  if (!profile) {
    if (ref.explicit) throw notLoggedIn(ref);
    return undefined;
  }
  const store = storeFor(profile.storage, ref.paths, ref.env);
  return { source: storedCredentialSource({ paths: ref.paths, profileName: ref.profileName, profile, store }), profile };
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
}

/** What `auth status` shows. Reads no secret, so it works where the keychain is out of reach. */
export async function authStatus(ref: ProfileRef, now = Date.now()): Promise<AuthStatus> {
  const profile = await readProfile(ref.paths, ref.profileName);
  const envName = ENV_VARIABLES.find((name) => ref.env[name]?.trim());
  if (envName) {
    return {
      profile: ref.profileName,
      source: 'environment',
      sourceName: envName,
      kind: envName === 'INFUSIONSOFT_API_KEY' ? 'key' : 'access-token',
      ...(profile ? { profileShadowed: true } : {}),
    };
  }
  if (!profile) throw notLoggedIn(ref);
  const status: AuthStatus = {
    profile: ref.profileName,
    source: profile.storage,
    sourceName: `profile "${ref.profileName}"`,
    kind: profile.kind,
    apiUrl: profile.apiUrl,
  };
  if (profile.user) status.user = profile.user;
  if (profile.app) status.app = profile.app;
  if (profile.tenant) status.tenant = profile.tenant;
  if (profile.accessTokenExpiresAt) status.accessTokenExpiresAt = profile.accessTokenExpiresAt;
  if (profile.refreshTokenIssuedAt) {
    status.refreshTokenIssuedAt = profile.refreshTokenIssuedAt;
    status.refreshTokenAgeDays = Math.floor((now - Date.parse(profile.refreshTokenIssuedAt)) / 86_400_000);
  }
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
  const store = storeFor(profile.storage, ref.paths, ref.env);
  const seen = await store.read(ref.profileName);
  if (seen?.kind !== 'oauth') throw notLoggedIn(ref);
  await refreshUnderLock({ paths: ref.paths, profileName: ref.profileName, profile, store }, seen, true);
  return (await readProfile(ref.paths, ref.profileName)) ?? profile;
}

/**
 * `auth logout`: the secret leaves wherever it lives, then the profile goes; the profile goes even
 * when the secret's store cannot be reached (forget.ts).
 */
export async function logout(ref: ProfileRef): Promise<LogoutResult> {
  const profile = await readProfile(ref.paths, ref.profileName);
  if (!profile) throw notLoggedIn(ref);
  return forgetProfile(ref.paths, ref.profileName, profile, ref.env);
}

/** `auth logout --all`: every stored profile, one after the other. */
export async function logoutAll(ref: ProfileRef): Promise<LogoutResult[]> {
  const results: LogoutResult[] = [];
  for (const [name, profile] of Object.entries(await readProfiles(ref.paths))) {
    results.push(await forgetProfile(ref.paths, name, profile, ref.env));
  }
  return results;
}
