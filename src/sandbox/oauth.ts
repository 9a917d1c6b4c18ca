/**
 * The sandbox's OAuth, as strict as Keap where a client can go wrong (API-FACTS.md section 1):
 * the authorize page, the token endpoint (code exchange with the client secret in the form,
 * refresh with HTTP Basic, rotating refresh tokens, single-use codes that expire) and the access
 * tokens the API accepts, as Bearer or as `X-Keap-API-Key`. Redirect URIs follow Keap's
 * registration rule when `redirectUris` lists them; refresh tokens die with a new authorisation
 * and, with `refreshTokenLifetime`, by age (both unconfirmed at Keap, modelled so clients meet them).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { escapeHtml, html, type Reply } from './reply.js';
import type { StatsBook } from './stats.js';

export const DEFAULT_CLIENT_ID = 'sandbox-client-id';
export const DEFAULT_CLIENT_SECRET = 'sandbox-client-secret';
/** Keap's authorization codes live about ten minutes. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

const INVALID_TOKEN = {
  fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } },
};
const EXPIRED_TOKEN = {
  fault: { faultstring: 'Access Token expired', detail: { errorcode: 'keymanagement.service.access_token_expired' } },
};

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Seconds. */
  tokenLifetime: number;
  /** The token the sandbox prints; accepted forever. */
  fixedToken: string;
  now: () => number;
  book: StatsBook;
  /** The app's registered redirect URIs; authorize takes only these. Undefined: loopback or https. */
  redirectUris?: string[];
  /** Earlier logins keep their refresh tokens when the app is authorised again (off by default). */
  keepEarlierLogins?: boolean;
  /** Seconds a refresh token lives; undefined: until used or revoked. */
  refreshTokenLifetime?: number;
}

const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
});
const invalidClient = (description: string): Reply => oauthError(401, 'invalid_client', description);
const invalidGrant = (description: string): Reply => oauthError(400, 'invalid_grant', description);
const refusedPage = (problem: string): Reply => html(400, `<!doctype html><title>Bad request</title><p>${escapeHtml(problem)}</p>`);

export class OAuthServer {
  /** access token -> expiry (epoch ms) */
  private readonly accessTokens = new Map<string, number>();
  /** refresh token -> when it was issued (epoch ms) */
  private readonly refreshTokens = new Map<string, number>();
  private readonly codes = new Map<string, { redirectUri: string; expires: number }>();

  constructor(private readonly options: OAuthOptions) {}

  /** Undefined when the request carries a token the API accepts; else Keap's 401. */
  authenticate(headers: IncomingHttpHeaders): Reply | undefined {
    const bearer = headers['authorization'];
    const apiKey = headers['x-keap-api-key'];
    let token: string | undefined;
    if (typeof bearer === 'string' && /^Bearer\s+/i.test(bearer)) token = bearer.replace(/^Bearer\s+/i, '').trim();
    else if (typeof apiKey === 'string') token = apiKey.trim();
    if (token === this.options.fixedToken) return undefined;
    const expires = token === undefined ? undefined : this.accessTokens.get(token);
    if (expires === undefined) return { status: 401, body: INVALID_TOKEN };
    if (expires <= this.options.now()) return { status: 401, body: EXPIRED_TOKEN };
    return undefined;
  }

  /** GET /app/oauth/authorize: the consent page, or a refusal naming what is wrong. */
  authorizePage(query: URLSearchParams): Reply {
    const problem = this.authorizeProblem(query, true);
    if (problem) return refusedPage(problem);
    const hidden = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`)
      .join('\n    ');
    return html(
      200,
      `<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize application - Keap sandbox</title></head>
<body>
  <h1>Allow access to the sandbox?</h1>
  <p>The application <strong>${escapeHtml(query.get('client_id') ?? '')}</strong> wants full access to this Keap sandbox account.</p>
  <form method="post" action="/app/oauth/authorize">
    ${hidden}
    <button type="submit" name="allow" value="Allow">Allow</button>
    <button type="submit" name="deny" value="Deny">Deny</button>
  </form>
</body></html>`,
    );
  }

  /** POST /app/oauth/authorize (the Allow or Deny button): back to the redirect URI with a code or an error. */
  authorizeSubmit(form: URLSearchParams): Reply {
    const problem = this.authorizeProblem(form, false);
    if (problem) return refusedPage(problem);
    const redirectUri = form.get('redirect_uri') as string;
    const target = new URL(redirectUri);
    if (form.has('deny')) {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = randomBytes(12).toString('base64url');
      this.codes.set(code, { redirectUri, expires: this.options.now() + CODE_LIFETIME_MS });
      target.searchParams.set('code', code);
    }
    const state = form.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() }, raw: '' };
  }

  private authorizeProblem(params: URLSearchParams, page: boolean): string | undefined {
    const clientId = params.get('client_id');
    const redirectUri = params.get('redirect_uri');
    if (!clientId) return 'client_id is required.';
    if (clientId !== this.options.clientId) return `Unknown client_id "${clientId}": this sandbox's client id is set with --client-id.`;
    if (!redirectUri) return 'redirect_uri is required.';
    if (!URL.canParse(redirectUri)) return `redirect_uri "${redirectUri}" is not an absolute URL.`;
    const unregistered = this.redirectProblem(new URL(redirectUri));
    if (unregistered) return unregistered;
    if (page && params.get('response_type') !== 'code') return 'response_type must be "code".';
    return undefined;
  }

  /**
   * Keap sends the browser only to a redirect URI registered for the app, matched exactly: scheme,
   * host, port and path (so a random callback port cannot match). Without a registered list the
   * sandbox takes any loopback port or any https address: a convenience of the sandbox, not Keap's rule.
   */
  private redirectProblem(uri: URL): string | undefined {
    const registered = this.options.redirectUris;
    if (registered) {
      const key = (u: URL) => `${u.protocol}//${u.hostname}:${u.port}${u.pathname}`;
      if (registered.some((entry) => key(new URL(entry)) === key(uri))) return undefined;
      return `redirect_uri "${uri.href}" is not registered for this app. Registered: ${registered.join(', ')}.`;
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(uri.hostname);
    if (uri.protocol === 'https:' || (uri.protocol === 'http:' && loopback)) return undefined;
    return `redirect_uri "${uri.href}" is not accepted: this sandbox takes http on 127.0.0.1, localhost or [::1] (any port) or https, unless started with --redirect-uris.`;
  }

  /** POST /token: the authorization code and refresh grants, form-encoded like Keap's. */
  token(headers: IncomingHttpHeaders, text: string): Reply {
    if (!String(headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'response_type or grant_type is required');
    }
    const form = new URLSearchParams(text);
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.exchangeCode(form);
    if (grant === 'refresh_token') return this.refresh(headers, form);
    if (!grant) return oauthError(400, 'invalid_request', 'response_type or grant_type is required');
    return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grant}`);
  }

  /** The code exchange authenticates the client in the form body (client_id, client_secret). */
  private exchangeCode(form: URLSearchParams): Reply {
    if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
      return invalidClient('Client authentication failed');
    }
    const code = form.get('code') ?? '';
    const saved = this.codes.get(code);
    // Single use: a code is spent by the first exchange that names it, whatever its outcome.
    this.codes.delete(code);
    if (!saved || saved.expires <= this.options.now()) return invalidGrant('Invalid authorization code');
    if (form.get('redirect_uri') !== saved.redirectUri) return invalidGrant('Redirect URI mismatch');
    // A new authorisation of the app by its user ends the earlier logins' refresh tokens, as Keap
    // may (infusionsoft-php#99: a refresh token dies "when a new token pair is issued"). The sandbox
    // has one app and one user, so that is every refresh token handed out so far.
    if (!this.options.keepEarlierLogins) this.refreshTokens.clear();
    return { status: 200, body: this.issueTokens() };
  }

  /**
   * The refresh grant authenticates the client with HTTP Basic, as Keap documents. A client id
   * and secret in the form instead are refused: Keap's tolerance of them is unconfirmed, so a
   * client relying on it should fail here rather than against Keap.
   */
  private refresh(headers: IncomingHttpHeaders, form: URLSearchParams): Reply {
    const basic = /^Basic\s+(\S+)\s*$/i.exec(String(headers['authorization'] ?? ''));
    if (!basic?.[1]) return invalidClient('Client authentication failed: send Authorization: Basic base64(client_id:client_secret)');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    if (decoded !== `${this.options.clientId}:${this.options.clientSecret}`) return invalidClient('Client authentication failed');
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'refresh_token is required');
    // Rotation: the old refresh token dies with this use, so a second use is refused.
    const issuedAt = this.refreshTokens.get(refreshToken);
    if (issuedAt === undefined) return invalidGrant('Invalid refresh token');
    this.refreshTokens.delete(refreshToken);
    const lifetime = this.options.refreshTokenLifetime;
    if (lifetime !== undefined && this.options.now() - issuedAt >= lifetime * 1000) return invalidGrant('Invalid refresh token');
    this.options.book.current.refreshes++;
    return { status: 200, body: this.issueTokens() };
  }

  private issueTokens(): Record<string, unknown> {
    const accessToken = randomBytes(18).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, this.options.now() + this.options.tokenLifetime * 1000);
    this.refreshTokens.set(refreshToken, this.options.now());
    this.options.book.current.tokensIssued++;
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: this.options.tokenLifetime,
      token_type: 'bearer',
      scope: 'full|sandbox.infusionsoft.com',
    };
  }
}
