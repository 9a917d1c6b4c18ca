/**
 * What the user can do next, for errors whose origin only says what happened. `api/` knows a
 * credential was missing or refused; which environment variable, flag or command fixes that is
 * the command layer's knowledge, so those hints are written here, where errors become exit codes.
 */
import { AuthError, type CliError } from './errors.js';
import { recognise, TROUBLESHOOTING } from './troubleshooting.js';

const NO_CREDENTIAL_HINT = 'run `infusionsoft auth login`, set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN, or use --sandbox';

/**
 * The error's own hint when it has one, else the one for its kind of failure; then, when Keap's
 * answer is one docs/troubleshooting.md explains, that page's way out on a line of its own.
 */
export function hintFor(error: CliError): string | undefined {
  const own = error.hint ?? (error instanceof AuthError ? authHint(error) : undefined);
  const known = recognise(error);
  const troubleshooting = known ? `${TROUBLESHOOTING[known].hint} (docs/troubleshooting.md#${TROUBLESHOOTING[known].anchor})` : undefined;
  const lines = [own, troubleshooting].filter((line): line is string => line !== undefined);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function authHint(error: AuthError): string | undefined {
  const credential = error.credential;
  switch (error.problem) {
    case 'missing':
      return NO_CREDENTIAL_HINT;
    case 'forbidden':
      return credential
        ? `the credential from ${credential.source} may lack permission for this (a personal access token has its user's permissions)`
        : undefined;
    case 'refused': {
      if (!credential) return undefined;
      // A stored profile: refreshing already failed, only a new login helps.
      if (error.credentialFrom?.kind === 'profile') {
        const profile = error.credentialFrom.name;
        return `log in again: infusionsoft auth login${profile === 'default' ? '' : ` --profile ${profile}`}${credential.scheme === 'api-key' ? ' --with-token' : ''}`;
      }
      return credential.scheme === 'bearer'
        ? `the access token from ${credential.source} may have expired: set a valid INFUSIONSOFT_ACCESS_TOKEN or INFUSIONSOFT_API_KEY`
        : `check the key from ${credential.source} (Keap app: Settings > API Settings)`;
    }
    default:
      return undefined;
  }
}
