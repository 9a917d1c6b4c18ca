/**
 * Trading the authorization code for tokens at the end of a browser login, and saying what to do
 * when the token endpoint refuses: a wrong client secret is asked for again on a terminal, with the
 * same code (the sandbox spends none on a client it could not authenticate; should Keap, the retry
 * gets `invalid_grant` and says to start over), and a refused code means starting over.
 */
import { exchangeCode, OAuthError, type OAuthClient, type TokenSet } from '../api/oauth.js';
import { AuthError } from '../errors.js';

/** Tries with a client secret typed again after an `invalid_client`; a person gets three tries in all. */
const SECRET_TRIES = 3;

export interface ExchangeContext {
  redirectUri: string;
  /** `infusionsoft auth login` with the profile flag, for the hint. */
  loginCommand: string;
  /** Asks for the client secret again; undefined when nobody can type one (stdin is not a terminal). */
  askSecretAgain?: (reason: string) => Promise<string>;
  signal?: AbortSignal;
}

/** The tokens, and the client whose secret finally worked (the one to store). */
export async function exchangeAuthorization(
  client: OAuthClient,
  code: string,
  context: ExchangeContext,
): Promise<{ tokens: TokenSet; client: OAuthClient }> {
  let current = client;
  for (let attempt = 1; ; attempt++) {
    try {
      return { tokens: await exchangeCode(current, code, context.redirectUri, context.signal), client: current };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.oauthCode === 'invalid_grant') throw codeRefused(error, context.loginCommand);
      if (error.oauthCode !== 'invalid_client') throw error;
      if (!context.askSecretAgain || attempt >= SECRET_TRIES) throw clientRefused(error, current.clientId);
      current = { ...current, clientSecret: await context.askSecretAgain(clientRefused(error, current.clientId).message) };
    }
  }
}

/** `invalid_client`: the token endpoint could not authenticate the app (a wrong client secret, most likely). */
export function clientRefused(cause: OAuthError, clientId: string): AuthError {
  return new AuthError(`Keap refused the client id or secret (invalid_client): check the client secret of app ${clientId}`, {
    problem: 'refused',
    cause,
    hint: "copy the app's client secret from Keap's developer portal into INFUSIONSOFT_CLIENT_SECRET or the prompt, and log in again",
  });
}

/** `invalid_grant` on a code: spent by an earlier exchange, older than its ten minutes, or a redirect URI that differs. */
function codeRefused(cause: OAuthError, loginCommand: string): AuthError {
  return new AuthError(
    `Keap refused the authorization code (${cause.description || 'invalid_grant'}): it was used already or is too old (codes last about 10 minutes)`,
    {
      problem: 'refused',
      cause,
      hint: `start the login again: ${loginCommand}, and allow access in the browser within a few minutes`,
    },
  );
}
