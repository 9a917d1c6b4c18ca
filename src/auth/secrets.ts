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
  read(profile: string): Promise<StoredSecret | undefined>;
  write(profile: string, secret: StoredSecret): Promise<void>;
  /** True when there was a secret to remove. */
  remove(profile: string): Promise<boolean>;
}

const KEYCHAIN_SERVICE = 'infusionsoft';
const KEYCHAIN_TIMEOUT_MS = 3_000;
/** Windows' credential manager holds at most 2,560 bytes; stay below on every platform. */
const MAX_SECRET_BYTES = 2_500;

export const KEYCHAIN_LOCATION = 'the OS keychain';

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

type KeyringModule = typeof import('@napi-rs/keyring');
type Entry = InstanceType<KeyringModule['AsyncEntry']>;

/** Why the keychain cannot be used here, or undefined when it may be tried. */
export function keychainUnreachableReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
    return 'there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), as under cron or over plain SSH';
  }
  return undefined;
}

/** Runs one keychain call, giving up after a few seconds: a locked or headless keyring may never answer. */
async function bounded<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`the keychain did not answer within ${KEYCHAIN_TIMEOUT_MS / 1000} s (${what})`));
    }, KEYCHAIN_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function entryFor(account: string): Promise<Entry> {
  const { AsyncEntry } = (await import('@napi-rs/keyring')) as KeyringModule;
  // Pinned: the library's Linux default falls back to the kernel keyring, which forgets at logout.
  return new AsyncEntry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } });
}

/** The keychain store. Calls fail with an AuthError that names the way out when it is out of reach. */
export function keychainStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  const unreachable = (reason: string, cause?: unknown) =>
    new AuthError(`the stored credential is in ${KEYCHAIN_LOCATION}, which this run cannot reach: ${reason}`, {
      problem: 'missing',
      hint:
        'for unattended runs, log in with `infusionsoft auth login --insecure-storage` (a 0600 file), ' +
        'or set INFUSIONSOFT_API_KEY in the job',
      ...(cause === undefined ? {} : { cause }),
    });
  const withEntry = async <T>(profile: string, what: string, call: (entry: Entry, signal: AbortSignal) => Promise<T>): Promise<T> => {
    const reason = keychainUnreachableReason(env);
    if (reason) throw unreachable(reason);
    try {
      const entry = await entryFor(profile);
      return await bounded(what, (signal) => call(entry, signal));
    } catch (error) {
      throw unreachable((error as Error).message, error);
    }
  };
  return {
    kind: 'keychain',
    location: KEYCHAIN_LOCATION,
    async read(profile) {
      const text = await withEntry(profile, 'read', (entry, signal) => entry.getPassword(signal));
      return text === null || text === undefined ? undefined : decode(text, KEYCHAIN_LOCATION);
    },
    async write(profile, secret) {
      const text = encode(secret);
      await withEntry(profile, 'write', (entry, signal) => entry.setPassword(text, signal));
    },
    async remove(profile) {
      return withEntry(profile, 'delete', (entry, signal) => entry.deleteCredential(signal));
    },
  };
}

/**
 * Whether the keychain works here: a write, a read that returns what was written, and a delete,
 * each bounded in time. Resolves the reason when it does not.
 */
export async function probeKeychain(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const reason = keychainUnreachableReason(env);
  if (reason) return reason;
  const account = `probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  try {
    const entry = await entryFor(account);
    await bounded('probe write', (signal) => entry.setPassword(value, signal));
    const back = await bounded('probe read', (signal) => entry.getPassword(signal));
    await bounded('probe delete', (signal) => entry.deleteCredential(signal));
    if (back !== value) return 'it did not return what was written to it';
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

export function storeFor(kind: StorageKind, paths: AuthPaths, env: NodeJS.ProcessEnv = process.env): SecretStore {
  return kind === 'keychain' ? keychainStore(env) : fileStore(paths);
}
