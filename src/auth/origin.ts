/**
 * At login, Keap's token endpoint is never paired with another API (or the reverse): a shell left
 * with the sandbox's INFUSIONSOFT_API_URL must not send a real token there (issue 14). The check of
 * a run's URL against the origin its stored login was issued for is auth/resolver.ts's.
 */
import { UsageError } from '../errors.js';

/** Keap's own hosts, over https (api.infusionsoft.com, accounts.infusionsoft.com, api.keap.com). */
export function isKeapUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  const host = hostname.toLowerCase();
  const keap = ['infusionsoft.com', 'keap.com'].some((domain) => host === domain || host.endsWith(`.${domain}`));
  return protocol === 'https:' && keap;
}

/**
 * An OAuth login's endpoints are all Keap's or all not Keap's. `authorizeUrl` is given for the
 * browser login only (a `--refresh-token` login never visits it).
 */
export function checkLoginEndpoints(endpoints: { apiUrl: string; tokenUrl: string; authorizeUrl?: string }): void {
  const named: Array<[string, string]> = [
    ['the API URL', endpoints.apiUrl],
    ['the token URL', endpoints.tokenUrl],
  ];
  if (endpoints.authorizeUrl) named.push(['the authorize URL', endpoints.authorizeUrl]);
  const keap = named.filter(([, url]) => isKeapUrl(url));
  if (keap.length === 0 || keap.length === named.length) return;
  const other = named.filter(([, url]) => !isKeapUrl(url));
  const list = (items: Array<[string, string]>) => items.map(([what, url]) => `${what} ${url}`).join(' and ');
  throw new UsageError(
    `${list(keap)} ${keap.length > 1 ? 'are' : 'is'} Keap's, but ${list(other)} ${other.length > 1 ? 'are' : 'is'} not`,
    {
      hint:
        'a login sends its tokens to all of them: set INFUSIONSOFT_API_URL, INFUSIONSOFT_TOKEN_URL and INFUSIONSOFT_AUTHORIZE_URL ' +
        "all for the sandbox (with --profile sandbox) or unset them all for Keap's",
    },
  );
}
