/**
 * Credential sources that hold one fixed secret, and the environment part of the lookup order
 * (DESIGN.md section 2). Stored profiles are auth/'s business; `commands/` picks between them.
 */
import { UsageError } from '../errors.js';
import type { CredentialSource } from './types.js';

export const DEFAULT_API_URL = 'https://api.infusionsoft.com/crm/rest/v1';

/** A fixed OAuth access token (or the sandbox's), sent as Bearer. Nothing to refresh: a 401 is final. */
export function bearerTokenSource(token: string, origin: string): CredentialSource {
  return fixedSource('bearer', { authorization: `Bearer ${token}` }, origin);
}

/** A Personal Access Token or Service Account Key, sent as X-Keap-API-Key. */
export function apiKeySource(key: string, origin: string): CredentialSource {
  return fixedSource('api-key', { 'x-keap-api-key': key }, origin);
}

function fixedSource(scheme: CredentialSource['scheme'], header: Record<string, string>, origin: string): CredentialSource {
  return {
    scheme,
    describe: () => origin,
    header: async () => ({ ...header }),
    onUnauthorized: async () => false,
  };
}

/** INFUSIONSOFT_ACCESS_TOKEN (OAuth, bearer) wins over INFUSIONSOFT_API_KEY (PAT/SAK). */
export function credentialSourceFromEnv(env: NodeJS.ProcessEnv = process.env): CredentialSource | undefined {
  const token = env.INFUSIONSOFT_ACCESS_TOKEN?.trim();
  if (token) return bearerTokenSource(token, 'INFUSIONSOFT_ACCESS_TOKEN');
  const key = env.INFUSIONSOFT_API_KEY?.trim();
  if (key) return apiKeySource(key, 'INFUSIONSOFT_API_KEY');
  return undefined;
}

/** `--api-url`, else INFUSIONSOFT_API_URL, else Keap's; checked and without a trailing slash. */
export function resolveApiUrl(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromFlag = flag?.trim();
  const fromEnv = env.INFUSIONSOFT_API_URL?.trim();
  const [value, origin] = fromFlag
    ? [fromFlag, '--api-url']
    : fromEnv
      ? [fromEnv, 'INFUSIONSOFT_API_URL']
      : [DEFAULT_API_URL, 'the default API URL'];
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
