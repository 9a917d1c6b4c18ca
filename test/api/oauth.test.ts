/** The token endpoint calls: what goes over the wire, and how a refusal comes back. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode, OAuthError, refreshTokens } from '../../src/api/oauth.js';
import { AuthError, ExitCode, NetworkError } from '../../src/errors.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { authorizeUrlFor, pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../auth/oauth-walk.js';
import { json, startServer, type TestServer } from './server.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('token endpoint requests as Keap wants them', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) =>
      json(res, 200, { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600, scope: 'full|ab123.infusionsoft.com' }),
    );
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  it('sends the code exchange as a form with the key pair and the redirect URI in the body', async () => {
    const client = { tokenUrl: `${server.origin}/token`, clientId: 'id 1', clientSecret: 's&cret' };
    const tokens = await exchangeCode(client, 'the-code', 'https://example.com/cb?x=1');
    expect(tokens).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 3600, scope: 'full|ab123.infusionsoft.com' });
    const [seen] = server.requests;
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(seen?.body))).toEqual({
      client_id: 'id 1',
      client_secret: 's&cret',
      code: 'the-code',
      grant_type: 'authorization_code',
      redirect_uri: 'https://example.com/cb?x=1',
    });
  });

  it('authenticates a refresh with HTTP Basic and sends only the grant and the token in the body', async () => {
    const client = { tokenUrl: `${server.origin}/token`, clientId: 'my-id', clientSecret: 'my:secret' };
    await refreshTokens(client, 'old-refresh');
    const [seen] = server.requests;
    expect(seen?.headers.authorization).toBe(`Basic ${Buffer.from('my-id:my:secret').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(seen?.body))).toEqual({ grant_type: 'refresh_token', refresh_token: 'old-refresh' });
  });

  it('refuses an answer without both tokens, naming neither secret', async () => {
    server.handle((_req, res) => json(res, 200, { access_token: 'half-a-pair' }));
    const error = await refreshTokens({ tokenUrl: `${server.origin}/token`, clientId: 'a', clientSecret: 'zz-secret' }, 'rt-secret').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(String((error as Error).message)).not.toMatch(/half-a-pair|zz-secret|rt-secret/);
  });

  it('says the endpoint cannot be reached as a network error', async () => {
    const closed = await startServer();
    const url = `${closed.origin}/token`;
    await closed.close();
    await expect(refreshTokens({ tokenUrl: url, clientId: 'a', clientSecret: 'b' }, 'c')).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('against the sandbox', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3 });
  });
  afterAll(() => sandbox?.close());
  const client = () => ({ tokenUrl: `${sandbox.origin}/token`, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });

  it('exchanges a code for a pair whose access token the API accepts, and rotates the refresh token', async () => {
    const landed = await pressOnAuthorizePage(authorizeUrlFor(sandbox.origin, REDIRECT));
    const tokens = await exchangeCode(client(), landed.searchParams.get('code') as string, REDIRECT);
    const me = await fetch(`${sandbox.apiUrl}/oauth/connect/userinfo`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(me.status).toBe(200);
    const next = await refreshTokens(client(), tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);

    // The rotated-out token is dead: invalid_grant, exit 4, and the secrets stay out of the message.
    const error = (await refreshTokens(client(), tokens.refreshToken).catch((e: unknown) => e)) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.oauthCode).toBe('invalid_grant');
    expect(error.refreshTokenRejected).toBe(true);
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.message).not.toContain(tokens.refreshToken);
    expect(error.message).not.toContain(SANDBOX_CLIENT_SECRET);
  });

  it('sends the redirect URI byte for byte, so a different one is refused', async () => {
    const landed = await pressOnAuthorizePage(authorizeUrlFor(sandbox.origin, REDIRECT));
    const error = (await exchangeCode(client(), landed.searchParams.get('code') as string, `${REDIRECT}/`).catch(
      (e: unknown) => e,
    )) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.oauthCode).toBe('invalid_grant');
  });
});
