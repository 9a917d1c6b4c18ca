/**
 * The one credential resolver (DESIGN.md section 2, issue 16 item 3). It alone reads the
 * INFUSIONSOFT_* credential and URL variables (test/credential-env.test.ts holds every other file
 * to that), and it owns:
 * - the profile reference a command works on: the one named by `--profile` or INFUSIONSOFT_PROFILE
 *   (explicit: it wins over credentials in the environment), else the default that `auth switch`
 *   set, else `default` (those two are not explicit: an environment credential still wins);
 * - the order a run's credential is looked up in: an explicit profile, then
 *   INFUSIONSOFT_ACCESS_TOKEN, then INFUSIONSOFT_API_KEY, then the default profile. Every command,
 *   `auth status` included, goes through `chooseCredential`;
 * - the check of a URL chosen by `--api-url` or INFUSIONSOFT_API_URL against the origin a stored
 *   login was issued for (a stored credential is sent only to its own API), and of the OAuth
 *   endpoint variables.
 */
import { apiKeySource, bearerTokenSource, checkedApiUrl, DEFAULT_API_URL } from '../api/credentials.js';
import type { CredentialSource } from '../api/types.js';
import { AuthError, UsageError } from '../errors.js';
import {
  authPaths,
  checkProfileName,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_PROFILE,
  DEFAULT_TOKEN_URL,
  readDefaultProfile,
  readProfile,
  resolveConfigDir,
  type AuthPaths,
  type Profile,
} from './profiles.js';
import { systemSecretStores, type SecretStores } from './secrets.js';
import { loginCommand, storedCredentialSource } from './source.js';

export interface ProfileRef {
  paths: AuthPaths;
  profileName: string;
  /** Whether the name was asked for (`--profile`, INFUSIONSOFT_PROFILE) rather than the default. */
  explicit: boolean;
  /** The name is the default set by `auth switch` (not explicit: the environment still wins). */
  switched?: boolean;
  env: NodeJS.ProcessEnv;
  /** Where `--verbose` lines about token refreshes go (never a token). */
  log?: (line: string) => void;
  /** The run's secret-store factory (`IO.secrets`); the system's when not given. */
  secrets?: SecretStores;
}

/** Where a profile's secrets are kept: the run's injected stores, else the system's. */
export const storesOf = (ref: ProfileRef): SecretStores => ref.secrets ?? systemSecretStores(ref.env);

/** The variables that hold a credential themselves, in the order they win. */
const CREDENTIAL_VARIABLES = ['INFUSIONSOFT_ACCESS_TOKEN', 'INFUSIONSOFT_API_KEY'] as const;
type CredentialVariable = (typeof CREDENTIAL_VARIABLES)[number];

/** `--profile`, else INFUSIONSOFT_PROFILE, else `default`; a name that is safe as a file name. */
export function resolveProfileName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromFlag = flag?.trim();
  const fromEnv = profileVariable(env);
  if (fromFlag) return checkProfileName(fromFlag, '--profile');
  if (fromEnv) return checkProfileName(fromEnv, 'INFUSIONSOFT_PROFILE');
  return checkProfileName(DEFAULT_PROFILE, '');
}

/** INFUSIONSOFT_PROFILE, when set: it names a profile (and wins over `auth switch`). */
export function profileVariable(env: NodeJS.ProcessEnv): string | undefined {
  return env.INFUSIONSOFT_PROFILE?.trim() || undefined;
}

/** `warn` says when the config folder had to be made private. */
export async function selectProfile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): Promise<ProfileRef> {
  const paths = authPaths(resolveConfigDir(env), warn);
  if (flag?.trim() || profileVariable(env)) {
    return { paths, profileName: resolveProfileName(flag, env), explicit: true, env };
  }
  // A credential in the environment wins over the default anyway: a config it cannot read is no reason to fail.
  const fromEnv = credentialVariablesSet(env).length > 0;
  const switched = await readDefaultProfile(paths).catch((error: unknown) => {
    if (fromEnv) return undefined;
    throw error;
  });
  if (switched && switched !== DEFAULT_PROFILE) {
    // Checked like a flag: config.json may have been edited by hand.
    return { paths, profileName: resolveProfileName(switched, {}), explicit: false, switched: true, env };
  }
  return { paths, profileName: DEFAULT_PROFILE, explicit: false, env };
}

/** The credential variables that are set, in the order they win (for warnings about the losers). */
export function credentialVariablesSet(env: NodeJS.ProcessEnv): CredentialVariable[] {
  return CREDENTIAL_VARIABLES.filter((name) => env[name]?.trim());
}

/** INFUSIONSOFT_ACCESS_TOKEN (OAuth, bearer) wins over INFUSIONSOFT_API_KEY (PAT/SAK). */
export function credentialSourceFromEnv(env: NodeJS.ProcessEnv): CredentialSource | undefined {
  return environmentCredential(env)?.source;
}

function environmentCredential(env: NodeJS.ProcessEnv): { variable: CredentialVariable; source: CredentialSource } | undefined {
  const variable = credentialVariablesSet(env)[0];
  const value = variable && env[variable]?.trim();
  if (!variable || !value) return undefined;
  const from = { kind: 'environment', variable } as const;
  const source = variable === 'INFUSIONSOFT_ACCESS_TOKEN' ? bearerTokenSource(value, variable, from) : apiKeySource(value, variable, from);
  return { variable, source };
}

export function notLoggedIn(ref: ProfileRef): AuthError {
  const message = ref.explicit
    ? `there is no stored login named "${ref.profileName}"`
    : ref.switched
      ? `there is no stored login named "${ref.profileName}", the default profile set by \`auth switch\``
      : 'not logged in to Keap';
  return new AuthError(message, {
    problem: 'missing',
    hint: `run: ${loginCommand(ref.profileName)} (or set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN)`,
  });
}

/** Which credential a run uses, decided before any secret is read (so `auth status` can tell). */
export type CredentialChoice =
  | { from: 'environment'; variable: CredentialVariable; source: CredentialSource }
  /** `environmentIgnored`: a credential variable that is set but loses to the named profile. */
  | { from: 'profile'; profile: Profile; environmentIgnored?: CredentialVariable };

/**
 * The lookup order: an explicitly named profile, then INFUSIONSOFT_ACCESS_TOKEN, then
 * INFUSIONSOFT_API_KEY, then the default profile. Undefined when there is none and no profile was
 * named (commands that can work offline go on); a named profile that does not exist is an error.
 * The config is not read when the environment wins, so a config this run cannot read stops no one.
 */
export async function chooseCredential(ref: ProfileRef): Promise<CredentialChoice | undefined> {
  const fromEnv = environmentCredential(ref.env);
  if (fromEnv && !ref.explicit) return { from: 'environment', ...fromEnv };
  const profile = await readProfile(ref.paths, ref.profileName);
  if (!profile) {
    if (ref.explicit || ref.switched) throw notLoggedIn(ref);
    return undefined;
  }
  return { from: 'profile', profile, ...(fromEnv ? { environmentIgnored: fromEnv.variable } : {}) };
}

export interface ResolvedCredential {
  source: CredentialSource;
  /** The stored profile, when the credential is one. */
  profile?: Profile;
  /** A credential variable that is set but not used, because a profile was named. */
  environmentIgnored?: string;
}

/** The credential a run uses (`chooseCredential`), ready to hand to the client. */
export async function resolveCredential(ref: ProfileRef): Promise<ResolvedCredential | undefined> {
  const choice = await chooseCredential(ref);
  if (!choice) return undefined;
  if (choice.from === 'environment') return { source: choice.source };
  const { profile } = choice;
  const store = storesOf(ref).storeFor(profile.storage, ref.paths);
  const source = storedCredentialSource({
    paths: ref.paths,
    profileName: ref.profileName,
    profile,
    store,
    ...(ref.log ? { log: ref.log } : {}),
  });
  return { source, profile, ...(choice.environmentIgnored ? { environmentIgnored: choice.environmentIgnored } : {}) };
}

/** Where a run was told to send its requests, when it was told. */
interface ChosenApiUrl {
  url: string;
  from: string;
}

function chosenApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv): ChosenApiUrl | undefined {
  const fromFlag = flag?.trim();
  if (fromFlag) return { url: checkedApiUrl(fromFlag, '--api-url'), from: '--api-url' };
  const fromEnv = env.INFUSIONSOFT_API_URL?.trim();
  if (fromEnv) return { url: checkedApiUrl(fromEnv, 'INFUSIONSOFT_API_URL'), from: 'INFUSIONSOFT_API_URL' };
  return undefined;
}

/** `--api-url`, else INFUSIONSOFT_API_URL, else Keap's; checked and without a trailing slash. */
export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return chosenApiUrl(flag, env)?.url ?? DEFAULT_API_URL;
}

/**
 * The URL a run's requests go to: a stored profile's own API, or a chosen one on the same origin
 * (another origin is refused before any request, as gh keys tokens by host); without a stored
 * profile, the chosen one, else Keap's.
 */
export function apiUrlFor(resolved: ResolvedCredential | undefined, ref: ProfileRef, apiUrlFlag: string | undefined): string {
  const chosen = chosenApiUrl(apiUrlFlag, ref.env);
  if (resolved?.profile) return apiUrlForProfile(ref.profileName, resolved.profile, chosen);
  return chosen?.url ?? DEFAULT_API_URL;
}

/** The API URL a stored profile's requests go to: its own, or a chosen one on the same origin. */
function apiUrlForProfile(profileName: string, profile: Profile, chosen: ChosenApiUrl | undefined): string {
  if (!chosen) return profile.apiUrl;
  const issued = new URL(profile.apiUrl).origin;
  const asked = new URL(chosen.url).origin;
  if (issued === asked) return chosen.url;
  throw new UsageError(
    `the login stored in profile "${profileName}" was issued for ${issued}, but ${chosen.from} points at ${asked}; a stored credential is sent only to its own API`,
    {
      hint: `${chosen.from === '--api-url' ? 'leave out --api-url' : 'unset INFUSIONSOFT_API_URL'} to use ${issued}, or log in to ${asked} in a profile of its own: infusionsoft --profile NAME auth login`,
    },
  );
}

/** INFUSIONSOFT_TOKEN_URL, else Keap's token endpoint. */
export function tokenUrlFrom(env: NodeJS.ProcessEnv): string {
  return endpoint(env.INFUSIONSOFT_TOKEN_URL, DEFAULT_TOKEN_URL, 'INFUSIONSOFT_TOKEN_URL');
}

/** INFUSIONSOFT_AUTHORIZE_URL, else Keap's authorize page. */
export function authorizeUrlFrom(env: NodeJS.ProcessEnv): string {
  return endpoint(env.INFUSIONSOFT_AUTHORIZE_URL, DEFAULT_AUTHORIZE_URL, 'INFUSIONSOFT_AUTHORIZE_URL');
}

function endpoint(value: string | undefined, fallback: string, name: string): string {
  const text = value?.trim() || fallback;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // reported below
  }
  throw new UsageError(`${name} is not an http(s) URL: ${text}`, { hint: `unset it to use Keap's (${fallback})` });
}

/** The OAuth app's key pair as the environment gives it (INFUSIONSOFT_CLIENT_ID, INFUSIONSOFT_CLIENT_SECRET). */
export function oauthAppFromEnv(env: NodeJS.ProcessEnv): { clientId?: string; clientSecret?: string } {
  const clientId = env.INFUSIONSOFT_CLIENT_ID?.trim();
  const clientSecret = env.INFUSIONSOFT_CLIENT_SECRET?.trim();
  return { ...(clientId ? { clientId } : {}), ...(clientSecret ? { clientSecret } : {}) };
}
