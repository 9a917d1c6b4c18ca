/**
 * A keychain kept in memory: the secret-store factory of in-process tests that need a keychain
 * (auth status says "keychain", logout removes from it) without the OS's. The file store stays the
 * real 0600 file.
 */
import type { AuthPaths, StorageKind } from './profiles.js';
import { fileStore, KEYCHAIN_LOCATION, type SecretStore, type SecretStores, type StoredSecret } from './secrets.js';

/** A SecretStore of kind `keychain` over a Map; what is written is copied, as a keychain would. */
export function memoryStore(entries = new Map<string, StoredSecret>()): SecretStore & { entries: Map<string, StoredSecret> } {
  return {
    kind: 'keychain',
    location: KEYCHAIN_LOCATION,
    entries,
    async read(profile) {
      const secret = entries.get(profile);
      return secret === undefined ? undefined : structuredClone(secret);
    },
    async write(profile, secret) {
      entries.set(profile, structuredClone(secret));
    },
    async remove(profile) {
      return entries.delete(profile);
    },
  };
}

/** The factory over one in-memory keychain, which always works. */
export function memorySecretStores(keychain = memoryStore()): SecretStores & { keychain: ReturnType<typeof memoryStore> } {
  return {
    keychain,
    storeFor: (kind: StorageKind, paths: AuthPaths) => (kind === 'keychain' ? keychain : fileStore(paths)),
    keychainUnreachableReason: () => undefined,
    probeKeychain: async () => undefined,
  };
}
