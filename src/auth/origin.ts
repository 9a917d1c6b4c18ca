/**
 * A stored credential belongs to one API origin (issue 14): the `apiUrl` its profile was stored
 * with. Another URL, from `--api-url` or INFUSIONSOFT_API_URL, is refused before any request, as
 * gh keys tokens by host. At login, Keap's token endpoint is never paired with another API (or the
 * reverse): a shell left with the sandbox's INFUSIONSOFT_API_URL must not send a real token there.
 */
import { UsageError } from '../errors.js';
import type { Profile } from './profiles.js';

/** Where a run was told to send its requests, when it was told. */
export interface ChosenApiUrl {
  url: string;
  from: '--api-url' | 'INFUSIONSOFT_API_URL';
}

export function chosenApiUrlSource(flag: string | undefined, env: NodeJS.ProcessEnv): ChosenApiUrl['from'] | undefined {
  if (flag?.trim()) return '--api-url';
  if (env.INFUSIONSOFT_API_URL?.trim()) return 'INFUSIONSOFT_API_URL';
  return undefined;
}

/** The API URL a stored profile's requests go to: its own, or a chosen one on the same origin. */
export function apiUrlForProfile(profileName: string, profile: Profile, chosen: ChosenApiUrl | undefined): string {
  if (!chosen) return profile.apiUrl;
  const issued = new URL(profile.apiUrl).origin;
  const asked = new URL(chosen.url).origin;
  if (issued === asked) return chosen.url;
  throw new UsageError(
    `the login stored in profile "${profileName}" was issued for ${issued}, but ${chosen.from} points at ${asked}; a stored credential is sent only to its own API`,
    {
      hint: `${chosen.from === '--api-url' ? 'leave out --api-url' : 'unset INFUSIONSOFT_API_URL'} to use ${issued}, or log in to ${asked} in a profile of its own: infusionsoft --profile NAME auth login`,
    },
  );
}

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
