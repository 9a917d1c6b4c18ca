/** Access tokens, the 401 body, and the OAuth authorize + token endpoints with rotating refresh tokens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { stats } from './support.js';

const invalidToken = { fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } } };

async function tokenRequest(sandbox: SandboxHandle, form: Record<string, string>, basic?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
  const response = await fetch(sandbox.origin + '/token', { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, body: await response.json() };
}

/** Walks the authorize page like a browser: GET the form, POST it with Allow, read the redirect. */
async function authorize(sandbox: SandboxHandle, state: string): Promise<URL> {
  const params = new URLSearchParams({ client_id: 'my-app', redirect_uri: 'http://127.0.0.1:9/callback', response_type: 'code', scope: 'full', state });
  const page = await fetch(`${sandbox.origin}/app/oauth/authorize?${params}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/app/oauth/authorize">');
  expect(html).toMatch(/<button[^>]*value="Allow"/);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) fields.set(match[1] as string, (match[2] as string).replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))));
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

describe('sandbox authentication', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11 });
  });
  afterAll(() => sandbox?.close());

  it('derives its token from the seed and accepts it as Bearer or X-Keap-API-Key', async () => {
    expect(sandbox.token).toBe('sandbox-11-token');
    const bearer = await fetch(sandbox.apiUrl + '/account/profile', { headers: { authorization: `Bearer ${sandbox.token}` } });
    expect(bearer.status).toBe(200);
    const apiKey = await fetch(sandbox.apiUrl + '/account/profile', { headers: { 'x-keap-api-key': sandbox.token } });
    expect(apiKey.status).toBe(200);
  });

  it('answers 401 with the Apigee fault body without a valid token, even on unknown paths', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: sandbox.token }]) {
      const response = await fetch(sandbox.apiUrl + '/contacts', { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(invalidToken);
    }
    const unknown = await fetch(sandbox.apiUrl + '/no/such/thing');
    expect(unknown.status).toBe(401);
  });

  it('runs the authorization code flow and rotates refresh tokens', async () => {
    const redirect = await authorize(sandbox, 'xyz "state"');
    expect(redirect.origin + redirect.pathname).toBe('http://127.0.0.1:9/callback');
    expect(redirect.searchParams.get('state')).toBe('xyz "state"');
    const code = redirect.searchParams.get('code') as string;
    expect(code).toBeTruthy();

    const exchanged = await tokenRequest(sandbox, { grant_type: 'authorization_code', client_id: 'my-app', client_secret: 's3cret', code, redirect_uri: 'http://127.0.0.1:9/callback' });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ token_type: 'bearer', expires_in: 86400, scope: 'full|sandbox.infusionsoft.com' });
    const reused = await tokenRequest(sandbox, { grant_type: 'authorization_code', client_id: 'my-app', client_secret: 's3cret', code, redirect_uri: 'http://127.0.0.1:9/callback' });
    expect(reused.status).toBe(400);

    const api = await fetch(sandbox.apiUrl + '/oauth/connect/userinfo', { headers: { authorization: `Bearer ${exchanged.body.access_token}` } });
    expect(api.status).toBe(200);

    const refreshed = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token }, 'my-app:s3cret');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);
    const again = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token }, 'my-app:s3cret');
    expect(again).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } });
    const next = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token }, 'my-app:s3cret');
    expect(next.status).toBe(200);

    const counters = await stats(sandbox);
    expect(counters.tokensIssued).toBe(3);
    expect(counters.refreshes).toBe(2);
  });

  it('rejects a JSON token request like Keap', async () => {
    const response = await fetch(sandbox.origin + '/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"refresh_token"}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'response_type or grant_type is required' });
  });

  it('redirects with error=access_denied when the user denies', async () => {
    const response = await fetch(`${sandbox.origin}/app/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'a', redirect_uri: 'http://127.0.0.1:9/cb', state: 's', deny: 'Deny' }).toString(),
      redirect: 'manual',
    });
    const location = new URL(response.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('token lifetime', () => {
  it('expires issued access tokens after tokenLifetime seconds', async () => {
    const sandbox = await startSandbox({ seed: 12, tokenLifetime: 1 });
    try {
      const redirect = await authorize(sandbox, 's');
      const tokens = await tokenRequest(sandbox, { grant_type: 'authorization_code', client_id: 'c', client_secret: 's', code: redirect.searchParams.get('code') as string });
      expect(tokens.body.expires_in).toBe(1);
      const headers = { authorization: `Bearer ${tokens.body.access_token}` };
      expect((await fetch(sandbox.apiUrl + '/account/profile', { headers })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await fetch(sandbox.apiUrl + '/account/profile', { headers });
      expect(expired.status).toBe(401);
      expect((await expired.json()).fault.detail.errorcode).toBe('keymanagement.service.access_token_expired');
    } finally {
      await sandbox.close();
    }
  });
});
