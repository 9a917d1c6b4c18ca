/**
 * `auth logout`: a profile is always forgotten on this machine (issue 14 item 6). Its secret is
 * removed from wherever it lives; when that store cannot be reached (a keychain over SSH without
 * D-Bus, a locked or wedged keyring), the profile still goes, and the result says the item may
 * remain there and how to delete it by hand.
 */
import { join } from 'node:path';
import { KeychainAbortedError } from './keychain.js';
import { updateProfile, type AuthPaths, type Profile, type StorageKind } from './profiles.js';
import { KeychainUnreachableError, type SecretStores } from './secrets.js';

export interface LogoutResult {
  profile: string;
  storage: StorageKind;
  /** Where the secret lived, for messages. */
  location: string;
  /** removed; absent: the store held nothing; unreachable: it may still hold the secret. */
  secret: 'removed' | 'absent' | 'unreachable';
  /** Why the store could not be reached, and the command that deletes the item by hand. */
  reason?: string;
  removeByHand?: string;
}

/** The command that deletes a profile's keychain item (service `infusionsoft`, account = profile). */
export function keychainRemovalCommand(profile: string, platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return `security delete-generic-password -s infusionsoft -a ${profile}`;
    case 'win32':
      return `cmdkey /delete:${profile}.infusionsoft`;
    default:
      return `secret-tool clear service infusionsoft username ${profile}`;
  }
}

/** Removes the profile's secret (as far as its store can be reached), then the profile itself. */
export async function forgetProfile(paths: AuthPaths, name: string, profile: Profile, secrets: SecretStores): Promise<LogoutResult> {
  const store = secrets.storeFor(profile.storage, paths);
  const result: LogoutResult = { profile: name, storage: profile.storage, location: store.location, secret: 'removed' };
  try {
    result.secret = (await store.remove(name)) ? 'removed' : 'absent';
  } catch (error) {
    if (error instanceof KeychainAbortedError) throw error;
    result.secret = 'unreachable';
    result.reason = error instanceof KeychainUnreachableError ? error.reason : (error as Error).message;
    result.removeByHand = profile.storage === 'keychain' ? keychainRemovalCommand(name) : `rm ${join(paths.secretsDir, `${name}.json`)}`;
  }
  await updateProfile(paths, name, () => undefined);
  return result;
}
