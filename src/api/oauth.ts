/**
 * Keap's OAuth token endpoint (API-FACTS.md section 1): the code exchange and the refresh. These
 * are network calls, so they live in api/ with the client; auth/ decides when to make them. Bodies
 * are form-encoded (a JSON body is refused); the code exchange carries the client's key pair in the
 * body, the refresh authenticates the client with HTTP Basic, as Keap documents. Nothing here logs
 * or puts a secret in an error message.
 */
import { AuthError, NetworkError } from '../errors.js';
import { keapError, redactUrl } from './errors.js';

/** What the token endpoint hands out. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Lifetime of the access token in seconds, as the server said (`expires_in`). */
  expiresIn: number;
  /** `full|<app>.infusionsoft.com` on Keap; the part after `|` names the app. */
  scope?: string;
}

export interface OAuthClient {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The token endpoint refused the request: `code` is the OAuth error (`invalid_grant`,
 * `invalid_client`, `invalid_request`), `description` its text. Exit 4 like any refused credential.
 */
export class OAuthError extends AuthError {
  readonly oauthCode: string;
  readonly status: number;
  readonly description: string;
  constructor(status: number, oauthCode: string, description: string, tokenUrl: string) {
    super(`the token endpoint ${redactUrl(tokenUrl)} refused: ${status} ${oauthCode}${description ? ` (${description})` : ''}`, {
      problem: 'refused',
    });
    this.status = status;
    this.oauthCode = oauthCode;
    this.description = description;
  }

  /** The refresh token is dead (rotated out, expired, revoked): only a new login helps. */
  get refreshTokenRejected(): boolean {
    return this.oauthCode === 'invalid_grant' || (this.oauthCode === 'invalid_request' && /invalid refresh token/i.test(this.description));
  }
}

const TIMEOUT_MS = 60_000;

/** Trades an authorization code for a token pair. `redirectUri` must be byte-identical to authorize's. */
export function exchangeCode(client: OAuthClient, code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenSet> {
  const form = new URLSearchParams({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    code,
    grant_type: 'authorization_code',
    redirect_uri: redirectUri,
  });
  return postTokenForm(client.tokenUrl, form, undefined, signal);
}

/** Trades a refresh token for a new pair. Keap rotates: the one sent is dead once this succeeds. */
export function refreshTokens(client: OAuthClient, refreshToken: string, signal?: AbortSignal): Promise<TokenSet> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`, 'utf8').toString('base64');
  return postTokenForm(client.tokenUrl, form, `Basic ${basic}`, signal);
}

async function postTokenForm(
  tokenUrl: string,
  form: URLSearchParams,
  authorization: string | undefined,
  signal?: AbortSignal,
): Promise<TokenSet> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': 'infusionsoft-cli',
  };
  if (authorization) headers.authorization = authorization;
  const shown = redactUrl(tokenUrl);
  let status: number;
  let contentType: string | undefined;
  let text: string;
  try {
    // Loaded here, not at start-up: most commands never call the token endpoint. The dispatcher
    // is the factory's, so the token endpoint follows the run's proxy like the API does.
    const [{ request }, { createDispatcher }] = await Promise.all([import('undici'), import('./dispatcher.js')]);
    const dispatcher = createDispatcher({ headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connectTimeout: 30_000 });
    try {
      const response = await request(tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        dispatcher,
        ...(signal ? { signal } : {}),
      });
      status = response.statusCode;
      const type = response.headers['content-type'];
      contentType = Array.isArray(type) ? type[0] : type;
      text = await response.body.text();
    } finally {
      void dispatcher.close().catch(() => undefined);
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    const code = (error as { code?: string }).code;
    const { proxyNote } = await import('./proxy.js');
    const via = URL.canParse(tokenUrl) ? proxyNote(new URL(tokenUrl), error) : undefined;
    throw new NetworkError(`cannot reach the token endpoint ${shown}: ${code ?? (error as Error).message}${via?.suffix ?? ''}`, {
      hint: via?.hint ?? 'check the network, or INFUSIONSOFT_TOKEN_URL',
      cause: error,
    });
  }
  if (status < 200 || status >= 300) {
    const body = parseObject(text);
    const oauthCode = typeof body?.error === 'string' ? body.error : `http_${status}`;
    const description = typeof body?.error_description === 'string' ? body.error_description : keapError(status, contentType, text).message;
    throw new OAuthError(status, oauthCode, description, tokenUrl);
  }
  const body = parseObject(text);
  const accessToken = body?.access_token;
  const refreshToken = body?.refresh_token;
  if (typeof accessToken !== 'string' || !accessToken || typeof refreshToken !== 'string' || !refreshToken) {
    throw new AuthError(`the token endpoint ${shown} answered ${status} without an access token and a refresh token`, {
      problem: 'refused',
    });
  }
  const expiresIn = Number(body?.expires_in);
  const tokens: TokenSet = { accessToken, refreshToken, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 86_400 };
  if (typeof body?.scope === 'string') tokens.scope = body.scope;
  return tokens;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
