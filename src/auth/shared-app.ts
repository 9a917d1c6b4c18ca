/**
 * Several profiles logged in through one Keap app by one user. Keap's refresh tokens die "when a
 * new token pair is issued" (infusionsoft-php#99); whether a new authorisation ends the earlier
 * logins of the same app and user is unconfirmed. If it does, nothing on this side can keep them
 * alive, so a login says which profiles it may have ended, and what avoids it.
 */
import type { Reporter } from '../reporter.js';
import { readProfiles, type AuthPaths, type Profile } from './profiles.js';

/** The other OAuth profiles of the same app (client id and token URL) and, when both are known, the same user. */
export async function profilesSharingApp(paths: AuthPaths, name: string, login: Profile): Promise<string[]> {
  if (login.kind !== 'oauth' || !login.clientId) return [];
  const profiles = await readProfiles(paths);
  const sameUser = (other: Profile) => {
    const a = login.user?.id ?? login.user?.email;
    const b = other.user?.id ?? other.user?.email;
    return a === undefined || b === undefined || a === b;
  };
  return Object.entries(profiles)
    .filter(([other, profile]) => other !== name && profile.kind === 'oauth')
    .filter(([, profile]) => profile.clientId === login.clientId && profile.tokenUrl === login.tokenUrl && sameUser(profile))
    .map(([other]) => other);
}

export function warnSharedApp(reporter: Reporter, names: string[], clientId: string): void {
  if (!names.length) return;
  const list = names.map((name) => `"${name}"`).join(', ');
  reporter.warn(
    `profile${names.length > 1 ? 's' : ''} ${list} logged in through the same Keap app (client id ${clientId}) as the same user: ` +
      `this new authorisation may have ended ${names.length > 1 ? 'their logins' : 'its login'} (Keap may invalidate earlier refresh tokens). ` +
      `Check with \`infusionsoft --profile ${names[0]} auth refresh\`; to keep several accounts, give each its own app or a key (--with-token): see "Several accounts" in docs/auth.md`,
  );
}
