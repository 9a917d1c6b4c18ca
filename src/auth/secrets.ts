/**
 * Where secrets live (DESIGN.md section 4): the OS keychain through @napi-rs/keyring, pinned to the
 * Secret Service on Linux, or a file with mode 0600 in a 0700 folder. The keychain is used only
 * after a write, read and delete succeeded, every call is abandoned after about 3 seconds (a
 * headless keyring can hang rather than fail), and on Linux it is not tried at all without a D-Bus
 * session, which cron never has.
 */
import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError, CliError } from '../errors.js';
import { writeFileAtomic } from '../fs/index.js';
import { callKeychain, KeychainAbortedError, type KeychainHelper, type KeychainRequest } from './keychain.js';
import type { AuthPaths, StorageKind } from './profiles.js';

/** The secret half of a profile. */
export type StoredSecret =
  | {
      kind: 'oauth';
      accessToken: string;
      refreshToken: string;
      /** Epoch ms when the access token expires, and its whole lifetime in seconds. */
      expiresAt: number;
      lifetime: number;
      /** Epoch ms when this refresh token was issued. */
      issuedAt: number;
      /** The OAuth app's secret: a refresh needs it, so it is kept with the tokens. */
      clientSecret: string;
    }
  | { kind: 'key'; key: string };

export interface SecretStore {
  readonly kind: StorageKind;
  /** Where the secret lives, for messages; never the secret. */
  readonly location: string;
  /** `signal` (SIGINT, SIGTERM) abandons a keychain read at once. */
  read(profile: string, signal?: AbortSignal): Promise<StoredSecret | undefined>;
  /** Never abandoned on a signal: a refreshed pair must be kept, its old refresh token is dead. */
  write(profile: string, secret: StoredSecret): Promise<void>;
  /** True when there was a secret to remove. */
  remove(profile: string, signal?: AbortSignal): Promise<boolean>;
}

const KEYCHAIN_SERVICE = 'infusionsoft';
/** Windows' credential manager holds at most 2,560 bytes; stay below on every platform. */
const MAX_SECRET_BYTES = 2_500;

export const KEYCHAIN_LOCATION = 'the OS keychain';

/**
 * The secret-store factory a run is given (`IO.secrets`): the store of each kind, and whether the
 * keychain can be used here. `systemSecretStores` is the production one; tests inject an in-memory
 * keychain (memory-secrets.ts) or a wedged one (a helper process that never answers).
 */
export interface SecretStores {
  storeFor(kind: StorageKind, paths: AuthPaths): SecretStore;
  /** Why the keychain cannot be used here, known without trying it (no D-Bus), or undefined. */
  keychainUnreachableReason(): string | undefined;
  /** Whether the keychain works: a write, read and delete of a probe entry; the reason when not. */
  probeKeychain(signal?: AbortSignal): Promise<string | undefined>;
}

/**
 * The real keychain, every call in a helper process the CLI can abandon (keychain.ts), and the
 * 0600 file. `helperScript` replaces the helper (tests: one whose keyring blocks for ever).
 */
export function systemSecretStores(env: NodeJS.ProcessEnv, helperScript?: string): SecretStores {
  const helper = helperScript === undefined ? {} : { helperScript };
  return {
    storeFor: (kind, paths) => (kind === 'keychain' ? keychainStore(env, helper) : fileStore(paths)),
    keychainUnreachableReason: () => keychainUnreachableReason(env),
    probeKeychain: (signal) => probeKeychain(env, signal, helper),
  };
}

function encode(secret: StoredSecret): string {
  const text = JSON.stringify(secret);
  if (Buffer.byteLength(text, 'utf8') > MAX_SECRET_BYTES) {
    throw new CliError(`the credential is too large to store (${Buffer.byteLength(text, 'utf8')} bytes; at most ${MAX_SECRET_BYTES})`);
  }
  return text;
}

function decode(text: string, where: string): StoredSecret {
  try {
    const value = JSON.parse(text) as StoredSecret;
    if (value.kind === 'key' && typeof value.key === 'string') return value;
    if (value.kind === 'oauth' && typeof value.accessToken === 'string' && typeof value.refreshToken === 'string') return value;
  } catch {
    // fall through
  }
  throw new AuthError(`the credential stored in ${where} is damaged`, { problem: 'missing' });
}

/** The 0600 file in a 0700 folder under the config dir, one per profile. */
export function fileStore(paths: AuthPaths): SecretStore {
  const fileOf = (profile: string) => join(paths.secretsDir, `${profile}.json`);
  return {
    kind: 'file',
    location: paths.secretsDir,
    async read(profile) {
      let text: string;
      try {
        text = await readFile(fileOf(profile), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new CliError(`cannot read ${fileOf(profile)}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
      }
      return decode(text, fileOf(profile));
    },
    async write(profile, secret) {
      await writeFileAtomic(fileOf(profile), encode(secret), { mode: 0o600, folderMode: 0o700 });
    },
    async remove(profile) {
      try {
        await unlink(fileOf(profile));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
  };
}

/** The keychain could not be reached (no D-Bus, locked, wedged); `reason` says how, for logout. */
export class KeychainUnreachableError extends AuthError {
  readonly reason: string;
  constructor(reason: string, cause?: unknown) {
    super(`the stored credential is in ${KEYCHAIN_LOCATION}, which this run cannot reach: ${reason}`, {
      problem: 'missing',
      hint:
        'for unattended runs, log in with `infusionsoft auth login --insecure-storage` (a 0600 file), ' +
        'or set INFUSIONSOFT_API_KEY in the job',
      ...(cause === undefined ? {} : { cause }),
    });
    this.reason = reason;
  }
}

/** Why the keychain cannot be used here, or undefined when it may be tried. */
export function keychainUnreachableReason(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
    return 'there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), as under cron or over plain SSH';
  }
  return undefined;
}

/** The keychain store. Calls fail with an AuthError that names the way out when it is out of reach. */
export function keychainStore(env: NodeJS.ProcessEnv, helper: KeychainHelper = {}): SecretStore {
  const unreachable = (reason: string, cause?: unknown) => new KeychainUnreachableError(reason, cause);
  const call = async (request: KeychainRequest, signal?: AbortSignal): Promise<string | boolean | null> => {
    const reason = keychainUnreachableReason(env);
    if (reason) throw unreachable(reason);
    try {
      return await callKeychain(request, { env, signal, ...helper });
    } catch (error) {
      // Interrupted: the caller's signal handling says so; this is not the keychain's fault.
      if (error instanceof KeychainAbortedError) throw error;
      throw unreachable((error as Error).message, error);
    }
  };
  return {
    kind: 'keychain',
    location: KEYCHAIN_LOCATION,
    async read(profile, signal) {
      const text = await call({ op: 'get', service: KEYCHAIN_SERVICE, account: profile }, signal);
      return typeof text === 'string' ? decode(text, KEYCHAIN_LOCATION) : undefined;
    },
    async write(profile, secret) {
      await call({ op: 'set', service: KEYCHAIN_SERVICE, account: profile, password: encode(secret) });
    },
    async remove(profile, signal) {
      return (await call({ op: 'delete', service: KEYCHAIN_SERVICE, account: profile }, signal)) === true;
    },
  };
}

/**
 * Whether the keychain works here: a write, a read that returns what was written, and a delete of
 * a throwaway entry, all bounded in time. Resolves the reason when it does not.
 */
export async function probeKeychain(
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
  helper: KeychainHelper = {},
): Promise<string | undefined> {
  const reason = keychainUnreachableReason(env);
  if (reason) return reason;
  const account = `probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const works = await callKeychain(
      { op: 'probe', service: KEYCHAIN_SERVICE, account, password: randomBytes(12).toString('hex') },
      { env, signal, ...helper },
    );
    return works === true ? undefined : 'it did not return what was written to it';
  } catch (error) {
    if (error instanceof KeychainAbortedError) throw error;
    return (error as Error).message || String(error);
  }
}
