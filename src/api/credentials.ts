/**
 * Credential sources that hold one fixed secret, and the check of an API URL. Which credential a
 * run uses, and which variables say so, is auth/resolver.ts's business (DESIGN.md section 2).
 */
import { type CredentialOrigin, UsageError } from '../errors.js';
import type { CredentialSource } from './types.js';

export const DEFAULT_API_URL = 'https://api.infusionsoft.com/crm/rest/v1';

/**
 * A fixed OAuth access token (or the sandbox's), sent as Bearer. Nothing to refresh: a 401 is final.
 * `origin` names it in messages; `from` says where it came from (a variable), else it was handed over.
 */
export function bearerTokenSource(token: string, origin: string, from?: CredentialOrigin): CredentialSource {
  return fixedSource('bearer', { authorization: `Bearer ${token}` }, origin, from);
}

/** A Personal Access Token or Service Account Key, sent as X-Keap-API-Key. */
export function apiKeySource(key: string, origin: string, from?: CredentialOrigin): CredentialSource {
  return fixedSource('api-key', { 'x-keap-api-key': key }, origin, from);
}

function fixedSource(
  scheme: CredentialSource['scheme'],
  header: Record<string, string>,
  origin: string,
  from: CredentialOrigin = { kind: 'given', name: origin },
): CredentialSource {
  return {
    scheme,
    from,
    describe: () => origin,
    header: async () => ({ ...header }),
    onUnauthorized: async () => false,
  };
}

/** An API URL from `origin` (`--api-url`, a variable), checked and without a trailing slash. */
export function checkedApiUrl(value: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${origin} is not a URL: ${value}`, {
      hint: `give the REST v1 base, e.g. ${DEFAULT_API_URL}`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${origin} must be an http or https URL, not ${url.protocol}`, {
      hint: `give the REST v1 base, e.g. ${DEFAULT_API_URL}`,
    });
  }
  if (url.username || url.password) {
    throw new UsageError(`${origin} must not contain a user name or password`, {
      hint: 'pass credentials with INFUSIONSOFT_ACCESS_TOKEN or INFUSIONSOFT_API_KEY',
    });
  }
  if (url.search || url.hash) {
    throw new UsageError(`${origin} must not have a query or fragment: ${value}`, {
      hint: `give the REST v1 base, e.g. ${DEFAULT_API_URL}`,
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
