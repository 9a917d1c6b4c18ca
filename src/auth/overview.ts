/**
 * What `auth list` and `auth status --check` report: every stored profile at a glance, and one
 * authenticated request that proves the credential in use works (refreshing it first when due).
 */
import type { KeapApi } from '../api/types.js';
import { AuthError } from '../errors.js';
import { DEFAULT_PROFILE, readDefaultProfile, readProfiles, type AuthPaths, type Profile } from './profiles.js';

export interface ProfileSummary {
  name: string;
  /** Used when no profile is named (`auth switch`, else `default`). */
  default: boolean;
  kind: Profile['kind'];
  storage: Profile['storage'];
  /** The API the credential is sent to, and only to. */
  apiOrigin: string;
  user?: Profile['user'];
  app?: string;
  tenant?: string;
  loggedInAt: string;
}

/** Every stored profile, by name. */
export async function listProfiles(paths: AuthPaths): Promise<ProfileSummary[]> {
  const [profiles, switched] = await Promise.all([readProfiles(paths), readDefaultProfile(paths)]);
  const defaultName = switched ?? DEFAULT_PROFILE;
  return Object.entries(profiles)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, profile]) => ({
      name,
      default: name === defaultName,
      kind: profile.kind,
      storage: profile.storage,
      apiOrigin: new URL(profile.apiUrl).origin,
      ...(profile.user ? { user: profile.user } : {}),
      ...(profile.app ? { app: profile.app } : {}),
      ...(profile.tenant ? { tenant: profile.tenant } : {}),
      loggedInAt: profile.loggedInAt,
    }));
}

/** The cheapest authenticated request Keap has: who the credential belongs to. */
export const CHECK_REQUEST = 'GET /oauth/connect/userinfo';

export type CheckOutcome = { ok: true } | { ok: false; error: AuthError };

/**
 * One authenticated request with the run's credential (a refresh first when due, as any run
 * does). A refused or missing credential is an outcome; anything else (the network) is thrown.
 */
export async function checkCredential(api: KeapApi, signal?: AbortSignal): Promise<CheckOutcome> {
  try {
    await api.request('GET', '/oauth/connect/userinfo', signal ? { signal } : {});
    return { ok: true };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, error };
    throw error;
  }
}
