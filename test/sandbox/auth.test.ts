/**
 * Access tokens, the 401 body, and OAuth as strict as Keap: the authorize page, the code exchange
 * (client secret in the form, single-use codes that expire, the same redirect URI), the refresh
 * grant (HTTP Basic, rotating refresh tokens), each refusal on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle, SandboxOptions } from '../../src/sandbox/types.js';
import { stats } from './support.js';

const CLIENT_ID = 'sandbox-client-id';
const CLIENT_SECRET = 'sandbox-client-secret';
const REDIRECT = 'http://127.0.0.1:9/callback';
const BASIC = `${CLIENT_ID}:${CLIENT_SECRET}`;

const invalidToken = {
  fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } },
};
const invalidClient = { error: 'invalid_client', error_description: 'Client authentication failed' };

interface TokenAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a response body the tests read freely
  body: any;
}

async function tokenRequest(sandbox: SandboxHandle, form: Record<string, string>, basic?: string): Promise<TokenAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
  const response = await fetch(`${sandbox.origin}/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, body: await response.json() };
}

function authorizeUrl(sandbox: SandboxHandle, params: Record<string, string>): string {
  return `${sandbox.origin}/app/oauth/authorize?${new URLSearchParams(params)}`;
}

/** Walks the authorize page like a browser: GET the form, POST it with Allow, read the redirect. */
async function authorize(sandbox: SandboxHandle, state: string, clientId = CLIENT_ID, redirectUri = REDIRECT): Promise<URL> {
  const page = await fetch(
    authorizeUrl(sandbox, { client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'full', state }),
  );
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/app/oauth/authorize">');
  expect(html).toMatch(/<button[^>]*value="Allow"/);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g))
    fields.set(
      match[1] as string,
      (match[2] as string).replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))),
    );
  fields.set('allow', 'Allow');
  const submitted = await fetch(`${sandbox.origin}/app/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  expect(submitted.status).toBe(302);
  return new URL(submitted.headers.get('location') as string);
}

async function code(sandbox: SandboxHandle): Promise<string> {
  return (await authorize(sandbox, 's')).searchParams.get('code') as string;
}

const exchange = (sandbox: SandboxHandle, code: string, extra: Record<string, string> = {}) =>
  tokenRequest(sandbox, {
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    code,
    redirect_uri: REDIRECT,
    ...extra,
  });

/** A sandbox whose clock the test moves by hand. */
async function withClock(
  options: SandboxOptions,
  work: (sandbox: SandboxHandle, advance: (ms: number) => void) => Promise<void>,
): Promise<void> {
  let now = Date.UTC(2026, 5, 1, 12);
  const sandbox = await startSandbox({ ...options, now: () => now });
  try {
    await work(sandbox, (ms) => (now += ms));
  } finally {
    await sandbox.close();
  }
}

describe('sandbox authentication', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11 });
  });
  afterAll(() => sandbox?.close());

  it('derives its token from the seed and accepts it as Bearer or X-Keap-API-Key', async () => {
    expect(sandbox.token).toBe('sandbox-11-token');
    const bearer = await fetch(`${sandbox.apiUrl}/account/profile`, { headers: { authorization: `Bearer ${sandbox.token}` } });
    expect(bearer.status).toBe(200);
    const apiKey = await fetch(`${sandbox.apiUrl}/account/profile`, { headers: { 'x-keap-api-key': sandbox.token } });
    expect(apiKey.status).toBe(200);
  });

  it('answers 401 with the Apigee fault body without a valid token, even on unknown paths', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: sandbox.token }, { 'x-keap-api-key': 'KeapAK-nope' }]) {
      const response = await fetch(`${sandbox.apiUrl}/contacts`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(invalidToken);
    }
    const unknown = await fetch(`${sandbox.apiUrl}/no/such/thing`);
    expect(unknown.status).toBe(401);
  });

  it('runs the authorization code flow with the default client and rotates refresh tokens', async () => {
    await fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });
    const redirect = await authorize(sandbox, 'xyz "state"');
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('xyz "state"');
    const first = redirect.searchParams.get('code') as string;
    expect(first).toBeTruthy();

    const exchanged = await exchange(sandbox, first);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ token_type: 'bearer', expires_in: 86400, scope: 'full|sandbox.infusionsoft.com' });

    // The issued access token works as Bearer and as a key, and userinfo names the user.
    const userinfo = await fetch(`${sandbox.apiUrl}/oauth/connect/userinfo`, {
      headers: { authorization: `Bearer ${exchanged.body.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    const user = await userinfo.json();
    expect(user.email).toMatch(/@/);
    expect(user.given_name).toBeTruthy();
    const asKey = await fetch(`${sandbox.apiUrl}/oauth/connect/userinfo`, { headers: { 'x-keap-api-key': exchanged.body.access_token } });
    expect(await asKey.json()).toEqual(user);

    const refreshed = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token }, BASIC);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);
    const again = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token }, BASIC);
    expect(again).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } });
    const next = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token }, BASIC);
    expect(next.status).toBe(200);

    const counters = await stats(sandbox);
    expect(counters.tokensIssued).toBe(3);
    expect(counters.refreshes).toBe(2);
  });

  it('refuses an authorize request with an unknown client, no redirect URI or another response type', async () => {
    const base = { client_id: CLIENT_ID, redirect_uri: REDIRECT, response_type: 'code', scope: 'full' };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...base, client_id: 'someone-else' }, /Unknown client_id &#34;someone-else&#34;/],
      [{ ...base, client_id: '' }, /client_id is required/],
      [{ client_id: CLIENT_ID, response_type: 'code' }, /redirect_uri is required/],
      [{ ...base, redirect_uri: 'callback' }, /redirect_uri &#34;callback&#34; is not an absolute URL/],
      [{ ...base, response_type: 'token' }, /response_type must be &#34;code&#34;/],
      [{ client_id: CLIENT_ID, redirect_uri: REDIRECT }, /response_type must be &#34;code&#34;/],
    ];
    for (const [params, message] of cases) {
      const page = await fetch(authorizeUrl(sandbox, params));
      expect(page.status, JSON.stringify(params)).toBe(400);
      expect(await page.text()).toMatch(message);
    }
    // Submitting the form by hand with an unknown client is refused too, with no redirect.
    const submitted = await fetch(`${sandbox.origin}/app/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...base, client_id: 'someone-else', allow: 'Allow' }).toString(),
      redirect: 'manual',
    });
    expect(submitted.status).toBe(400);
    expect(submitted.headers.get('location')).toBeNull();
  });

  it('refuses a code exchange without the right client id and secret in the form', async () => {
    const given = await code(sandbox);
    for (const extra of [{ client_secret: 'wrong' }, { client_secret: '' }, { client_id: 'someone-else' }]) {
      expect(await exchange(sandbox, given, extra)).toEqual({ status: 401, body: invalidClient });
    }
    // HTTP Basic is not how Keap authenticates the code exchange.
    const basicOnly = await tokenRequest(sandbox, { grant_type: 'authorization_code', code: given, redirect_uri: REDIRECT }, BASIC);
    expect(basicOnly).toEqual({ status: 401, body: invalidClient });
    // A refused client did not spend the code.
    expect((await exchange(sandbox, given)).status).toBe(200);
  });

  it('refuses a missing or different redirect URI, and spends the code doing so', async () => {
    const missing = await code(sandbox);
    const noRedirect = await tokenRequest(sandbox, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: missing,
    });
    expect(noRedirect).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Redirect URI mismatch' } });
    expect((await exchange(sandbox, missing)).body.error_description).toBe('Invalid authorization code');
    for (const other of [`${REDIRECT}/`, 'http://localhost:9/callback', `${REDIRECT}?x=1`]) {
      const answer = await exchange(sandbox, await code(sandbox), { redirect_uri: other });
      expect(answer).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Redirect URI mismatch' } });
    }
  });

  it('accepts a code once only', async () => {
    const given = await code(sandbox);
    expect((await exchange(sandbox, given)).status).toBe(200);
    expect(await exchange(sandbox, given)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
    });
    expect((await exchange(sandbox, 'made-up')).body.error).toBe('invalid_grant');
  });

  it('refuses a refresh without HTTP Basic client authentication, even with the client in the form', async () => {
    const tokens = (await exchange(sandbox, await code(sandbox))).body;
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
    const noBasic = await tokenRequest(sandbox, refresh);
    expect(noBasic.status).toBe(401);
    expect(noBasic.body.error).toBe('invalid_client');
    expect(noBasic.body.error_description).toContain('Authorization: Basic');
    const inForm = await tokenRequest(sandbox, { ...refresh, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(inForm.status).toBe(401);
    expect(await tokenRequest(sandbox, refresh, `${CLIENT_ID}:wrong`)).toEqual({ status: 401, body: invalidClient });
    expect(await tokenRequest(sandbox, refresh, `other:${CLIENT_SECRET}`)).toEqual({ status: 401, body: invalidClient });
    expect(await tokenRequest(sandbox, { grant_type: 'refresh_token' }, BASIC)).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'refresh_token is required' },
    });
    // None of the refused attempts used the refresh token up.
    expect((await tokenRequest(sandbox, refresh, BASIC)).status).toBe(200);
  });

  it('rejects a JSON token request and an unknown grant like Keap', async () => {
    const response = await fetch(`${sandbox.origin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"refresh_token"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'response_type or grant_type is required' });
    expect(await tokenRequest(sandbox, { grant_type: 'password' })).toEqual({
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: password' },
    });
  });

  it('redirects with error=access_denied when the user denies', async () => {
    const response = await fetch(`${sandbox.origin}/app/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb', state: 's', deny: 'Deny' }).toString(),
      redirect: 'manual',
    });
    const location = new URL(response.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('s');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('a configured OAuth client', () => {
  it('accepts only the client id and secret it was started with', () =>
    withClock({ seed: 13, clientId: 'my-app', clientSecret: 's3cret' }, async (sandbox) => {
      expect((await fetch(authorizeUrl(sandbox, { client_id: CLIENT_ID, redirect_uri: REDIRECT, response_type: 'code' }))).status).toBe(
        400,
      );
      const given = (await authorize(sandbox, 's', 'my-app')).searchParams.get('code') as string;
      expect((await exchange(sandbox, given)).status).toBe(401);
      const tokens = await exchange(sandbox, given, { client_id: 'my-app', client_secret: 's3cret' });
      expect(tokens.status).toBe(200);
      const refresh = { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token };
      expect((await tokenRequest(sandbox, refresh, BASIC)).status).toBe(401);
      expect((await tokenRequest(sandbox, refresh, 'my-app:s3cret')).status).toBe(200);
    }));
});

describe('expiry', () => {
  it('lets a code expire ten minutes after it was given', () =>
    withClock({ seed: 12 }, async (sandbox, advance) => {
      const early = await code(sandbox);
      const late = await code(sandbox);
      advance(10 * 60 * 1000 - 1000);
      expect((await exchange(sandbox, early)).status).toBe(200);
      advance(1000);
      expect(await exchange(sandbox, late)).toEqual({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
      });
    }));

  it('expires issued access tokens after tokenLifetime seconds; the printed token never expires', () =>
    withClock({ seed: 12, tokenLifetime: 60 }, async (sandbox, advance) => {
      const tokens = await exchange(sandbox, await code(sandbox));
      expect(tokens.body.expires_in).toBe(60);
      const headers = { authorization: `Bearer ${tokens.body.access_token}` };
      expect((await fetch(`${sandbox.apiUrl}/account/profile`, { headers })).status).toBe(200);
      advance(60_000);
      const expired = await fetch(`${sandbox.apiUrl}/account/profile`, { headers });
      expect(expired.status).toBe(401);
      expect((await expired.json()).fault.detail.errorcode).toBe('keymanagement.service.access_token_expired');
      const printed = await fetch(`${sandbox.apiUrl}/account/profile`, { headers: { authorization: `Bearer ${sandbox.token}` } });
      expect(printed.status).toBe(200);
      // The refresh token outlives the access token.
      const refreshed = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token }, BASIC);
      expect(
        (await fetch(`${sandbox.apiUrl}/account/profile`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status,
      ).toBe(200);
    }));
});
