/**
 * Where auth keeps things, and the non-secret half of a profile (DESIGN.md section 2). The config
 * folder is INFUSIONSOFT_CONFIG_DIR, else $XDG_CONFIG_HOME/infusionsoft, else ~/.config/infusionsoft.
 * `config.json` there holds every profile's user, account, API URL and token times; secrets never
 * go in it (they live in the keychain or in `secrets/`, see secrets.ts).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import { ensureDir, writeFileAtomic, withFileLock } from '../fs/index.js';
import { guardConfigFolder } from './folder-modes.js';

export const DEFAULT_PROFILE = 'default';

/** Keap's OAuth endpoints (API-FACTS.md section 1). */
export const DEFAULT_AUTHORIZE_URL = 'https://accounts.infusionsoft.com/app/oauth/authorize';
export const DEFAULT_TOKEN_URL = 'https://api.infusionsoft.com/token';

export type StorageKind = 'keychain' | 'file';

/** What `auth status` shows and what a refresh needs, minus the secrets. */
export interface Profile {
  /** An OAuth login (access + refresh token) or a Personal Access Token / Service Account Key. */
  kind: 'oauth' | 'key';
  storage: StorageKind;
  apiUrl: string;
  /** OAuth only: where refreshes go and which app they are for (the id is not a secret). */
  tokenUrl?: string;
  clientId?: string;
  user?: { name?: string; email?: string; id?: string };
  /** The Keap app (`xy123.infusionsoft.com`), from the token's scope. */
  app?: string;
  /** `x-keap-tenant-id` as last seen. */
  tenant?: string;
  loggedInAt: string;
  /** ISO times, copied here from the secret so `status` never has to unlock the keychain. */
  accessTokenExpiresAt?: string;
  refreshTokenIssuedAt?: string;
  /** The `x-keap-*` quota and throttle headers of the last response auth saw, and when. */
  quota?: Record<string, string>;
  quotaSeenAt?: string;
  /** When Keap last refused this profile's refresh token, and what it said; cleared by a refresh or a login. */
  refreshRefusedAt?: string;
  refreshRefusal?: string;
}

interface ConfigFile {
  profiles: Record<string, Profile>;
  /** The profile used when none is named (`auth switch`); `default` when absent. */
  defaultProfile?: string;
}

export interface AuthPaths {
  configDir: string;
  configFile: string;
  secretsDir: string;
  locksDir: string;
  /** Where the run says that a folder open to others was tightened (folder-modes.ts). */
  warn?: (message: string) => void;
}

export function resolveConfigDir(env: NodeJS.ProcessEnv): string {
  const explicit = env.INFUSIONSOFT_CONFIG_DIR?.trim();
  if (explicit) return explicit;
  const xdg = env.XDG_CONFIG_HOME?.trim();
  if (xdg) return join(xdg, 'infusionsoft');
  return join(homedir(), '.config', 'infusionsoft');
}

export function authPaths(configDir: string, warn?: (message: string) => void): AuthPaths {
  return {
    configDir,
    configFile: join(configDir, 'config.json'),
    secretsDir: join(configDir, 'secrets'),
    locksDir: join(configDir, 'locks'),
    ...(warn ? { warn } : {}),
  };
}

/**
 * `name` when it is safe as a file name; `origin` (`--profile`, the variable) names it otherwise.
 * Which name a run uses is auth/resolver.ts's `resolveProfileName`.
 */
export function checkProfileName(name: string, origin: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new UsageError(`${origin}: "${name}" is not a profile name`, {
      hint: 'use letters, digits, "-", "_" or "." (at most 64), e.g. --profile client-a',
    });
  }
  return name;
}

export async function readProfiles(paths: AuthPaths): Promise<Record<string, Profile>> {
  return (await readConfig(paths)).profiles;
}

/** The profile `auth switch` made the default, if any. */
export async function readDefaultProfile(paths: AuthPaths): Promise<string | undefined> {
  return (await readConfig(paths)).defaultProfile;
}

async function readConfig(paths: AuthPaths): Promise<ConfigFile> {
  // Before anything is read from it: a config others could write is not trusted.
  await guardConfigFolder(paths);
  let text: string;
  try {
    text = await readFile(paths.configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(`cannot read ${paths.configFile}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as Partial<ConfigFile>;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.profiles !== 'object' || parsed.profiles === null) {
      throw new Error('no "profiles" object');
    }
    return {
      profiles: parsed.profiles,
      ...(typeof parsed.defaultProfile === 'string' ? { defaultProfile: parsed.defaultProfile } : {}),
    };
  } catch (error) {
    throw new UsageError(`${paths.configFile} is not a valid infusionsoft config: ${(error as Error).message}`, {
      hint: `fix or delete it, then run: infusionsoft auth login`,
    });
  }
}

export async function readProfile(paths: AuthPaths, name: string): Promise<Profile | undefined> {
  return (await readProfiles(paths))[name];
}

/**
 * Changes one profile (or removes it, when `change` returns undefined) under the config lock, so
 * processes refreshing different profiles at once do not undo each other's writes.
 */
export async function updateProfile(
  paths: AuthPaths,
  name: string,
  change: (current: Profile | undefined) => Profile | undefined,
): Promise<void> {
  await updateConfig(paths, (config) => {
    const next = change(config.profiles[name]);
    if (next) config.profiles[name] = next;
    else {
      delete config.profiles[name];
      // A default that names a removed profile would make every run fail: back to `default`.
      if (config.defaultProfile === name) delete config.defaultProfile;
    }
  });
}

/** `auth switch`: the profile used when none is named. */
export async function setDefaultProfile(paths: AuthPaths, name: string): Promise<void> {
  await updateConfig(paths, (config) => {
    if (name === DEFAULT_PROFILE) delete config.defaultProfile;
    else config.defaultProfile = name;
  });
}

async function updateConfig(paths: AuthPaths, change: (config: ConfigFile) => void): Promise<void> {
  await ensureDir(paths.locksDir, 0o700);
  await withFileLock(
    join(paths.locksDir, 'config.lock'),
    async () => {
      const config = await readConfig(paths);
      change(config);
      const text = `${JSON.stringify(config satisfies ConfigFile, null, 2)}\n`;
      await writeFileAtomic(paths.configFile, text, { mode: 0o600, folderMode: 0o700 });
    },
    { label: `the config file ${paths.configFile}` },
  );
}

/** The quota and throttle headers worth keeping from a response (`x-keap-*`). */
export function quotaHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (/^x-keap-(product|tenant)-(quota|throttle|spike)/.test(name) || name === 'x-keap-tenant-id') kept[name] = value;
  }
  return kept;
}
