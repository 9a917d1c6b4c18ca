/**
 * `auth login`: the OAuth 2 authorization-code flow (API-FACTS.md section 1), a key for servers
 * (`--with-token`), or a refresh token minted elsewhere (`--refresh-token`); then one call to
 * userinfo names the user, and the profile and its secret are stored. Everything the person sees or
 * types goes through `LoginIO`, so the command layer owns the terminal.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '../api/client.js';
import { apiKeySource, bearerTokenSource } from '../api/credentials.js';
import { OAuthError, refreshTokens, type OAuthClient, type TokenSet } from '../api/oauth.js';
import type { CredentialSource } from '../api/types.js';
import { AuthError, UsageError } from '../errors.js';
import type { BrowserOpener, Prompter } from '../io.js';
import type { Reporter } from '../reporter.js';
import { sameState, startCallbackServer, type Authorization } from './callback.js';
import { clientRefused, exchangeAuthorization } from './code-exchange.js';
import { quotaHeaders, readProfile, updateProfile, type AuthPaths, type Profile } from './profiles.js';
import { oauthAppFromEnv } from './resolver.js';
import { fileStore, type SecretStore, type SecretStores, type StoredSecret } from './secrets.js';
import { profilesSharingApp, warnSharedApp } from './shared-app.js';
import { secretFromTokens } from './source.js';

/** What the login is given by the command: the reporter, and the run's prompter and browser opener (`IO`). */
export interface LoginIO {
  reporter: Reporter;
  prompter: Prompter;
  openBrowser: BrowserOpener;
}

export interface LoginOptions {
  paths: AuthPaths;
  profileName: string;
  apiUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  env: NodeJS.ProcessEnv;
  /** Where the secret may go: the keychain (probed first) or the 0600 file. */
  secrets: SecretStores;
  clientId?: string;
  /** Print the URL instead of opening a browser. */
  noBrowser: boolean;
  port?: number;
  redirectUri?: string;
  withToken: boolean;
  refreshToken: boolean;
  insecureStorage: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface LoginResult {
  profile: Profile;
  location: string;
}

const CALLBACK_PATH = '/callback';

export async function login(options: LoginOptions, io: LoginIO): Promise<LoginResult> {
  const store = await chooseStore(options, io.reporter);
  let secret: StoredSecret;
  let source: CredentialSource;
  let partial: Partial<Profile>;
  if (options.withToken) {
    const key = await readRequired(
      io,
      'Paste the Personal Access Token or Service Account Key: ',
      'key',
      '--with-token reads the key from stdin, e.g. infusionsoft auth login --with-token < key.txt',
      options.signal,
    );
    secret = { kind: 'key', key };
    source = apiKeySource(key, 'the key given to --with-token');
    partial = { kind: 'key' };
  } else {
    // On a pipe the refresh token is the first line, before any client secret.
    const refreshToken = options.refreshToken
      ? await readRequired(
          io,
          'Paste the refresh token: ',
          'refresh token',
          '--refresh-token reads the token from stdin, e.g. infusionsoft auth login --refresh-token < token.txt',
          options.signal,
        )
      : undefined;
    const asked = await oauthClientFor(options, io);
    const { tokens, client } = refreshToken
      ? { tokens: await adoptRefreshToken(asked, refreshToken, options.signal), client: asked }
      : await authorizationCode(asked, options, io);
    const now = Date.now();
    secret = secretFromTokens(tokens, client.clientSecret, now);
    source = bearerTokenSource(tokens.accessToken, 'the new login');
    partial = {
      kind: 'oauth',
      tokenUrl: options.tokenUrl,
      clientId: client.clientId,
      accessTokenExpiresAt: new Date(secret.expiresAt).toISOString(),
      refreshTokenIssuedAt: new Date(now).toISOString(),
      ...(appFromScope(tokens.scope) ? { app: appFromScope(tokens.scope) } : {}),
    };
  }
  const who = await userInfo(options.apiUrl, source, options.signal);
  const profile: Profile = {
    kind: partial.kind ?? 'oauth',
    storage: store.kind,
    apiUrl: options.apiUrl,
    loggedInAt: new Date().toISOString(),
    ...partial,
    user: who.user,
    ...(who.tenant ? { tenant: who.tenant } : {}),
    quota: who.quota,
    quotaSeenAt: new Date().toISOString(),
  };
  const previous = await readProfile(options.paths, options.profileName);
  const sharing = await profilesSharingApp(options.paths, options.profileName, profile);
  await store.write(options.profileName, secret);
  await updateProfile(options.paths, options.profileName, () => profile);
  warnSharedApp(io.reporter, sharing, profile.clientId ?? '');
  // A login that moved between keychain and file leaves no copy behind.
  if (previous && previous.storage !== store.kind) {
    await options.secrets
      .storeFor(previous.storage, options.paths)
      .remove(options.profileName)
      .catch(() =>
        io.reporter.warn(
          `could not remove the old credential of profile "${options.profileName}" from ${previous.storage === 'keychain' ? 'the keychain' : 'its file'}`,
        ),
      );
  }
  return { profile, location: store.kind === 'file' ? fileStore(options.paths).location : store.location };
}

async function chooseStore(options: LoginOptions, reporter: Reporter): Promise<SecretStore> {
  if (options.insecureStorage) return fileStore(options.paths);
  const problem = await options.secrets.probeKeychain(options.signal);
  if (!problem) return options.secrets.storeFor('keychain', options.paths);
  reporter.warn(
    `no usable keychain (${problem}); the credential goes to a file readable only by you (mode 0600) in ${options.paths.secretsDir}`,
  );
  return fileStore(options.paths);
}

async function readRequired(io: LoginIO, prompt: string, what: string, hint: string, signal?: AbortSignal, secret = true): Promise<string> {
  // The signal ends the prompt on Ctrl-C; the caller then reports an interrupt, not a missing value.
  const value = (await io.prompter.readLine(prompt, signal ? { secret, signal } : { secret }))?.trim();
  if (!value) throw new UsageError(`no ${what} was given`, { hint });
  return value;
}

async function oauthClientFor(options: LoginOptions, io: LoginIO): Promise<OAuthClient> {
  const clientId =
    options.clientId?.trim() ||
    oauthAppFromEnv(options.env).clientId ||
    (await readRequired(
      io,
      "Client id (Keap developer portal, your app's key): ",
      'client id',
      'pass --client-id or set INFUSIONSOFT_CLIENT_ID',
      options.signal,
      false,
    ));
  const clientSecret =
    oauthAppFromEnv(options.env).clientSecret ||
    (await readRequired(
      io,
      'Client secret: ',
      'client secret',
      'set INFUSIONSOFT_CLIENT_SECRET, type it at the prompt, or pipe it on stdin (never as a flag: flags show in ps)',
      options.signal,
    ));
  return { tokenUrl: options.tokenUrl, clientId, clientSecret };
}

/** `--refresh-token`: one refresh with the token minted elsewhere; a refused client says to check its secret. */
async function adoptRefreshToken(client: OAuthClient, refreshToken: string, signal?: AbortSignal): Promise<TokenSet> {
  try {
    return await refreshTokens(client, refreshToken, signal);
  } catch (error) {
    if (error instanceof OAuthError && error.oauthCode === 'invalid_client') throw clientRefused(error, client.clientId);
    throw error;
  }
}

async function authorizationCode(
  client: OAuthClient,
  options: LoginOptions,
  io: LoginIO,
): Promise<{ tokens: TokenSet; client: OAuthClient }> {
  const state = randomBytes(16).toString('base64url');
  const loopback = loopbackTarget(options);
  const server = loopback
    ? await startCallbackServer({
        port: loopback.port,
        path: loopback.path,
        host: loopback.host,
        state,
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        onRefused: (reason) => io.reporter.warn(reason),
      })
    : undefined;
  const redirectUri = server?.redirectUri ?? (options.redirectUri as string);
  const url = new URL(options.authorizeUrl);
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'full');
  url.searchParams.set('state', state);
  const authorizeUrl = url.toString();

  await presentAuthorizeUrl(io, authorizeUrl, redirectUri, {
    listening: Boolean(server),
    openBrowser: !options.noBrowser && Boolean(server),
  });
  const stopPaste = new AbortController();
  try {
    const pasted = pasteBack(io, state, stopPaste.signal, options.signal);
    const authorization = server ? await Promise.race([server.result, pasted.then((a) => a ?? server.result)]) : await pasted;
    // The paste prompt goes before anything else is asked: two prompts would both read (and echo) a typed secret.
    stopPaste.abort();
    if (!authorization) {
      throw new UsageError('no address or code was pasted', { hint: 'paste the whole address the browser landed on, or its code= value' });
    }
    const profileFlag = options.profileName === 'default' ? '' : ` --profile ${options.profileName}`;
    return await exchangeAuthorization(client, authorization.code, {
      redirectUri,
      loginCommand: `infusionsoft auth login${profileFlag}`,
      ...(io.prompter.interactive
        ? {
            askSecretAgain: (reason: string) => {
              io.reporter.warn(reason);
              return readRequired(io, 'Client secret: ', 'client secret', 'type the client secret, or press Ctrl-C', options.signal);
            },
          }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    stopPaste.abort();
    await server?.close();
  }
}

/** Opens the browser on the authorize page when asked to, and says what to do next: where the address is, how to paste. */
async function presentAuthorizeUrl(
  io: LoginIO,
  authorizeUrl: string,
  redirectUri: string,
  how: { listening: boolean; openBrowser: boolean },
): Promise<void> {
  const { reporter } = io;
  const unopened = how.openBrowser
    ? await io
        .openBrowser(authorizeUrl, (why) =>
          reporter.warn(`no browser could be opened (${why}); open the address above yourself, and paste the address you land on`),
        )
        .then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        )
    : undefined;
  if (!how.openBrowser) {
    reporter.info(`Open this address in a browser and allow access:\n\n  ${authorizeUrl}\n`);
  } else if (unopened !== undefined) {
    reporter.warn(`no browser could be opened (${unopened})`);
    reporter.info(`Open this address in a browser yourself and allow access:\n\n  ${authorizeUrl}\n`);
  } else {
    reporter.info(`Opened the browser to log in to Keap. If it did not open, visit:\n\n  ${authorizeUrl}\n`);
  }
  reporter.info(
    how.listening
      ? `Waiting for Keap to send you back to ${redirectUri} ... (or paste the address you land on, then Enter)`
      : `After allowing access, paste the address you land on (it starts with ${redirectUri}), or just its code:`,
  );
}

/**
 * Reads the pasted address (or bare code) and checks its state; undefined at end of input. A paste
 * that is not this login's (another tab, a typo) is refused with a reason, and the next is read.
 */
async function pasteBack(io: LoginIO, state: string, stop: AbortSignal, signal?: AbortSignal): Promise<Authorization | undefined> {
  const either = signal ? AbortSignal.any([stop, signal]) : stop;
  for (;;) {
    const line = (await io.prompter.readLine('', { signal: either }))?.trim();
    if (line === undefined) return undefined;
    if (!line) continue;
    try {
      return parsePasted(line, state);
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof ForeignPaste)) throw error;
      io.reporter.warn(`${error.message}; paste the address this login's browser tab landed on (or press Ctrl-C)`);
    }
  }
}

/** A pasted address whose state belongs to another login. */
class ForeignPaste extends AuthError {}

/** A pasted callback address, its query, or a bare code. A wrong state is refused. */
export function parsePasted(text: string, state: string): Authorization {
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : /[=&]/.test(text) ? text : undefined;
  if (query === undefined) {
    if (/\s/.test(text))
      throw new UsageError('the pasted text is neither an address nor a code', { hint: 'paste the whole address the browser landed on' });
    return { code: text };
  }
  const params = new URLSearchParams(query.split('#')[0]);
  const error = params.get('error');
  if (error) throw new AuthError(`Keap did not grant access: ${error}`, { problem: 'refused' });
  const code = params.get('code');
  if (!code)
    throw new UsageError('the pasted address has no code= in it', {
      hint: 'paste the address the browser landed on after you allowed access',
    });
  if (!sameState(state, params.get('state'))) {
    throw new ForeignPaste('the pasted address belongs to another login (its state does not match this one); refused', {
      problem: 'refused',
      hint: "paste the address this login's browser tab landed on",
    });
  }
  return { code, state };
}

/** Where the local server listens: the default, or a loopback `--redirect-uri`; undefined for an HTTPS paste-back URI. */
function loopbackTarget(options: LoginOptions): { port: number; path: string; host: string } | undefined {
  if (!options.redirectUri) return { port: options.port ?? 0, path: CALLBACK_PATH, host: '127.0.0.1' };
  const uri = new URL(options.redirectUri);
  if (uri.protocol === 'http:' && (uri.hostname === '127.0.0.1' || uri.hostname === 'localhost')) {
    if (!uri.port)
      throw new UsageError(`--redirect-uri ${options.redirectUri} needs a port`, {
        hint: 'e.g. --redirect-uri http://127.0.0.1:8765/callback',
      });
    return { port: Number(uri.port), path: uri.pathname, host: uri.hostname };
  }
  return undefined;
}

/** Checks a `--redirect-uri`: HTTPS for paste-back, or http on this machine's loopback. */
export function checkRedirectUri(value: string): string {
  let uri: URL;
  try {
    uri = new URL(value);
  } catch {
    throw new UsageError(`--redirect-uri is not a URL: ${value}`, { hint: 'e.g. --redirect-uri https://example.com/keap/callback' });
  }
  const loopback = uri.hostname === '127.0.0.1' || uri.hostname === 'localhost';
  if (uri.protocol !== 'https:' && !(uri.protocol === 'http:' && loopback)) {
    throw new UsageError(`--redirect-uri must be https (or http on 127.0.0.1/localhost), not ${value}`, {
      hint: "use the HTTPS redirect URI registered for your app in Keap's developer portal",
    });
  }
  return value;
}

function appFromScope(scope: string | undefined): string | undefined {
  const app = scope?.split('|')[1]?.trim();
  return app || undefined;
}

interface WhoAmI {
  user: NonNullable<Profile['user']>;
  tenant?: string;
  quota: Record<string, string>;
}

/** One call to userinfo: proves the credential works and names the user. */
async function userInfo(apiUrl: string, credentials: CredentialSource, signal?: AbortSignal): Promise<WhoAmI> {
  const api = createClient({ baseUrl: apiUrl, credentials, maxRetries: 2 });
  try {
    const response = await api.request<Record<string, unknown>>('GET', '/oauth/connect/userinfo', signal ? { signal } : {});
    const body = response.body ?? {};
    const text = (key: string) => (typeof body[key] === 'string' && body[key] ? (body[key] as string) : undefined);
    const name = text('preferred_name') ?? ([text('given_name'), text('family_name')].filter(Boolean).join(' ') || undefined);
    const id = text('global_user_id') ?? text('sub') ?? (body.infusionsoft_id === undefined ? undefined : String(body.infusionsoft_id));
    const user: WhoAmI['user'] = {};
    if (name) user.name = name;
    if (text('email')) user.email = text('email');
    if (id) user.id = id;
    const tenant = response.headers['x-keap-tenant-id'];
    return { user, ...(tenant ? { tenant } : {}), quota: quotaHeaders(response.headers) };
  } finally {
    await api.close();
  }
}
