/**
 * The sandbox's OAuth keeps Keap's rules where a login can go wrong later: registered redirect
 * URIs matched exactly, refresh tokens that die when the app is authorised again (as Keap may) and,
 * when asked, by age.
 */
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle, SandboxOptions } from '../../src/sandbox/types.js';
import { authorizeUrlFor, pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../auth/oauth-walk.js';

async function withSandbox(options: SandboxOptions, work: (sandbox: SandboxHandle) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox({ port: 0, ...options });
  try {
    await work(sandbox);
  } finally {
    await sandbox.close();
  }
}

async function token(
  sandbox: SandboxHandle,
  form: Record<string, string>,
  basic = false,
): Promise<{ status: number; body: Record<string, string> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`;
  const response = await fetch(`${sandbox.origin}/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** A whole login as a client does it: authorize, Allow, exchange the code; its refresh token. */
async function login(sandbox: SandboxHandle, redirectUri = 'http://127.0.0.1:8765/callback'): Promise<string> {
  const landed = await pressOnAuthorizePage(authorizeUrlFor(sandbox.origin, redirectUri));
  const answer = await token(sandbox, {
    grant_type: 'authorization_code',
    code: landed.searchParams.get('code') as string,
    redirect_uri: redirectUri,
    client_id: SANDBOX_CLIENT_ID,
    client_secret: SANDBOX_CLIENT_SECRET,
  });
  expect(answer.status).toBe(200);
  return answer.body.refresh_token as string;
}

const refresh = (sandbox: SandboxHandle, refreshToken: string) =>
  token(sandbox, { grant_type: 'refresh_token', refresh_token: refreshToken }, true);

const authorizePage = (sandbox: SandboxHandle, redirectUri: string) => fetch(authorizeUrlFor(sandbox.origin, redirectUri));

describe('redirect URIs', () => {
  it('with --redirect-uris, takes only a registered one, equal in scheme, host, port and path', () =>
    withSandbox({ redirectUris: ['http://127.0.0.1:8765/callback', 'https://app.example.com/keap/callback'] }, async (sandbox) => {
      expect((await authorizePage(sandbox, 'http://127.0.0.1:8765/callback')).status).toBe(200);
      expect((await authorizePage(sandbox, 'https://app.example.com/keap/callback')).status).toBe(200);
      for (const other of [
        'http://127.0.0.1:8766/callback',
        'http://localhost:8765/callback',
        'https://127.0.0.1:8765/callback',
        'http://127.0.0.1:8765/callback/x',
        'https://app.example.com/keap/other',
      ]) {
        const page = await authorizePage(sandbox, other);
        expect(page.status, other).toBe(400);
        expect(await page.text()).toContain('is not registered for this app');
      }
      // The Allow button checks it too: a form posted with another redirect URI sends no code.
      const submitted = await fetch(`${sandbox.origin}/app/oauth/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: SANDBOX_CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb', allow: 'Allow' }).toString(),
        redirect: 'manual',
      });
      expect(submitted.status).toBe(400);
    }));

  it('without it, takes loopback on any port or https, and refuses everything else', () =>
    withSandbox({}, async (sandbox) => {
      for (const accepted of [
        'http://127.0.0.1:5555/callback',
        'http://localhost:1/x',
        'http://[::1]:7/cb',
        'https://app.example.com/cb',
      ]) {
        expect((await authorizePage(sandbox, accepted)).status, accepted).toBe(200);
      }
      for (const refused of ['http://app.example.com/cb', 'http://10.0.0.1:8765/callback', 'myapp://callback']) {
        const page = await authorizePage(sandbox, refused);
        expect(page.status, refused).toBe(400);
        expect(await page.text()).toContain('is not accepted');
      }
    }));
});

describe('refresh tokens', () => {
  it('an earlier login dies when the app is authorised again', () =>
    withSandbox({}, async (sandbox) => {
      const first = await login(sandbox);
      const second = await login(sandbox);
      expect(await refresh(sandbox, first)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect((await refresh(sandbox, second)).status).toBe(200);
    }));

  it('with keepEarlierLogins, both logins live on', () =>
    withSandbox({ keepEarlierLogins: true }, async (sandbox) => {
      const first = await login(sandbox);
      const second = await login(sandbox);
      expect((await refresh(sandbox, first)).status).toBe(200);
      expect((await refresh(sandbox, second)).status).toBe(200);
    }));

  it('with refreshTokenLifetime, die by age', async () => {
    let now = Date.UTC(2026, 5, 1, 12);
    await withSandbox({ refreshTokenLifetime: 3600, now: () => now }, async (sandbox) => {
      const issued = await login(sandbox);
      now += 3599_000;
      const renewed = await refresh(sandbox, issued);
      expect(renewed.status).toBe(200);
      now += 3600_000;
      expect(await refresh(sandbox, renewed.body.refresh_token as string)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid refresh token' },
      });
    });
  });
});
