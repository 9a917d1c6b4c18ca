/**
 * What a person does in the browser on the sandbox's authorize page, done with plain HTTP: load
 * the form, press Allow (or Deny), and read where the sandbox sends the browser next. The real
 * browser does the same in test/e2e/auth-browser.test.ts.
 */
import { registerSecret } from '../support/record.js';

export const SANDBOX_CLIENT_ID = 'sandbox-client-id';
export const SANDBOX_CLIENT_SECRET = 'sandbox-client-secret';

export async function pressOnAuthorizePage(authorizeUrl: string, button: 'Allow' | 'Deny' = 'Allow'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
  const html = await page.text();
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) {
    fields.set(match[1] as string, unescapeHtml(match[2] as string));
  }
  fields.set(button.toLowerCase(), button);
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '/app/oauth/authorize', authorizeUrl);
  const submitted = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location) throw new Error(`authorize form: ${submitted.status} ${await submitted.text()}`);
  return new URL(location);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The authorize URL a client would build for the sandbox. */
export function authorizeUrlFor(origin: string, redirectUri: string, state = 'test-state'): string {
  const url = new URL('/app/oauth/authorize', origin);
  url.searchParams.set('client_id', SANDBOX_CLIENT_ID);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'full');
  url.searchParams.set('state', state);
  return url.toString();
}

/**
 * A token pair minted on the sandbox at `origin`, as Keap's developer portal hands one out: the
 * authorize page allowed, the code exchanged. Both tokens are registered for the secret scan.
 */
export async function mintTokenPair(origin: string): Promise<{ access_token: string; refresh_token: string }> {
  const redirect = 'https://portal.example.com/cb';
  const landed = await pressOnAuthorizePage(authorizeUrlFor(origin, redirect));
  const minted = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: SANDBOX_CLIENT_ID,
      client_secret: SANDBOX_CLIENT_SECRET,
      code: landed.searchParams.get('code') as string,
      grant_type: 'authorization_code',
      redirect_uri: redirect,
    }),
  });
  const pair = (await minted.json()) as { access_token: string; refresh_token: string };
  registerSecret(pair.access_token);
  registerSecret(pair.refresh_token);
  return pair;
}
