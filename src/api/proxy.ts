/**
 * Which forwarding proxy a run's requests go through (issue 19, item 2): `--proxy URL`, else
 * HTTPS_PROXY / HTTP_PROXY, with NO_PROXY naming hosts reached directly. The variables are read
 * from the run's environment (`io.env`), as undici's EnvHttpProxyAgent reads them from the
 * process's: the lower-case name first (`https_proxy`, `http_proxy`, `no_proxy`), then the
 * upper-case one; HTTPS_PROXY for https:// targets, HTTP_PROXY for http:// ones and for https://
 * ones when HTTPS_PROXY is not set. Loopback is not exempt by default (undici has no default list):
 * a local sandbox behind a proxy needs `NO_PROXY=127.0.0.1,localhost`.
 *
 * Proxy credentials come only from the variables: a flag shows in `ps`, so `--proxy` with a user
 * name or password is refused. A `--proxy` naming the same proxy as a variable borrows its
 * credentials. No proxy URL is ever shown with its credentials (`shownProxy`).
 *
 * This module loads nothing: the CLI settles the run's proxy before a command runs, and
 * `dispatcher.ts` (loaded with undici) builds every dispatcher from it.
 */
import { UsageError } from '../errors.js';

export interface ProxySettings {
  /** For http:// targets; empty for none. May carry credentials (from a variable only). */
  httpProxy: string;
  /** For https:// targets; empty for none. */
  httpsProxy: string;
  /** NO_PROXY as given (comma or space separated hosts, `host:port`, `.domain`, `*`). */
  noProxy: string;
  /** Where each came from, for `--verbose`: `--proxy`, `HTTPS_PROXY`, `http_proxy`... */
  httpFrom?: string;
  httpsFrom?: string;
}

export const DIRECT: ProxySettings = { httpProxy: '', httpsProxy: '', noProxy: '' };

/** The lower-case variable first, as undici reads them; an empty lower-case one still wins. */
function variable(env: NodeJS.ProcessEnv, name: string): { value: string; from: string } | undefined {
  const lower = env[name.toLowerCase()];
  if (lower !== undefined) return { value: lower.trim(), from: name.toLowerCase() };
  const upper = env[name];
  return upper !== undefined ? { value: upper.trim(), from: name } : undefined;
}

/**
 * A proxy URL as given, checked. `host:port` without a scheme means http://, as curl reads it.
 * The value is never echoed in an error: it may hold a password.
 */
function parseProxy(value: string, from: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${from} is not a proxy URL`, { hint: 'give it as http://HOST:PORT' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} must be an http:// or https:// proxy, not ${url.protocol}`, { hint: 'give it as http://HOST:PORT' });
  }
  return url;
}

/** The proxy URL without its credentials: `http://***@proxy.example.com:3128`. */
export function shownProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    const credentials = url.username || url.password ? '***@' : '';
    return `${url.protocol}//${credentials}${url.host}`;
  } catch {
    return '(a proxy URL that cannot be read)';
  }
}

/**
 * The run's proxy settings from `--proxy` and the environment. `--proxy` replaces HTTPS_PROXY and
 * HTTP_PROXY for every target; NO_PROXY still applies, as with curl's `-x`.
 */
export function resolveProxySettings(flag: string | undefined, env: NodeJS.ProcessEnv): ProxySettings {
  const noProxy = variable(env, 'NO_PROXY')?.value ?? '';
  const fromEnv: Array<{ url: URL; from: string }> = [];
  const settings: ProxySettings = { ...DIRECT, noProxy };
  const http = variable(env, 'HTTP_PROXY');
  if (http?.value) {
    const url = parseProxy(http.value, http.from);
    fromEnv.push({ url, from: http.from });
    settings.httpProxy = url.href;
    settings.httpFrom = http.from;
  }
  const https = variable(env, 'HTTPS_PROXY');
  if (https?.value) {
    const url = parseProxy(https.value, https.from);
    fromEnv.push({ url, from: https.from });
    settings.httpsProxy = url.href;
    settings.httpsFrom = https.from;
  } else if (settings.httpProxy) {
    settings.httpsProxy = settings.httpProxy;
    if (settings.httpFrom) settings.httpsFrom = settings.httpFrom;
  }
  const given = flag?.trim();
  if (given === undefined || given === '') {
    if (given === '') throw new UsageError('--proxy needs a URL', { hint: 'give it as --proxy http://HOST:PORT' });
    return settings;
  }
  const url = parseProxy(given, '--proxy');
  if (url.username || url.password) {
    throw new UsageError(`--proxy must not carry a user name or password (${shownProxy(url.href)}): flags show in \`ps\``, {
      hint: 'put the credentials in HTTPS_PROXY (and HTTP_PROXY), e.g. HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT, and give --proxy without them or not at all',
    });
  }
  // The same proxy named in a variable lends its credentials: they may live only there.
  const lender = fromEnv.find((candidate) => candidate.url.origin === url.origin && (candidate.url.username || candidate.url.password));
  if (lender) {
    url.username = lender.url.username;
    url.password = lender.url.password;
  }
  return { noProxy, httpProxy: url.href, httpsProxy: url.href, httpFrom: '--proxy', httpsFrom: '--proxy' };
}

/** One `--verbose` line saying which proxy each kind of target goes through; undefined for none. */
export function describeProxySettings(settings: ProxySettings): string | undefined {
  if (!settings.httpProxy && !settings.httpsProxy) return undefined;
  const part = (scheme: string, proxy: string, from: string | undefined) =>
    proxy ? `${scheme} through ${shownProxy(proxy)} (${from})` : `${scheme} direct`;
  const bypass = settings.noProxy ? `; not for NO_PROXY: ${settings.noProxy}` : '';
  return `proxy: ${part('https://', settings.httpsProxy, settings.httpsFrom)}, ${part('http://', settings.httpProxy, settings.httpFrom)}${bypass}`;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy a request to `url` goes through under `settings`, shown without credentials with
 * where it came from; undefined when it goes direct. NO_PROXY is matched as undici matches it
 * (`*`; a host or `host:port`; a host's subdomains; a leading `.` or `*.` ignored), so an error
 * can say which way the request went.
 */
export function proxyFor(url: URL, settings: ProxySettings = current): { shown: string; from: string } | undefined {
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!proxy) return undefined;
  const host = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  const entries = settings.noProxy.split(/[,\s]/).filter(Boolean);
  if (settings.noProxy === '*') return undefined;
  for (const entry of entries) {
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? (parsed[1] as string) : entry).replace(/^\*?\./, '').toLowerCase();
    if (parsed && Number(parsed[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  const from = url.protocol === 'https:' ? settings.httpsFrom : settings.httpFrom;
  return { shown: shownProxy(proxy), from: from ?? 'the environment' };
}

/** What a failed request that went through a proxy adds to its error: where, and what to check. */
export function proxyNote(url: URL, error: unknown): { suffix: string; hint: string } | undefined {
  const proxy = proxyFor(url);
  if (!proxy) return undefined;
  const refused = /\b407\b/.test(error instanceof Error ? error.message : String(error));
  return {
    suffix: ` (through the proxy ${proxy.shown}, from ${proxy.from}${refused ? ', which refused its credentials: 407' : ''})`,
    hint: refused
      ? `check the user name and password in ${proxy.from === '--proxy' ? 'HTTPS_PROXY or HTTP_PROXY' : proxy.from}`
      : `check the proxy (${proxy.from}), or list the host in NO_PROXY to reach it directly`,
  };
}

let current: ProxySettings = DIRECT;

/**
 * The run's settings, set once by the CLI before a command runs. Process-wide like undici's own
 * global dispatcher: every dispatcher of the run (the API client's, the token endpoint's) is made
 * from them, without threading them through every caller of the token endpoint.
 */
export function useProxySettings(settings: ProxySettings): void {
  current = settings;
}

export function proxySettings(): ProxySettings {
  return current;
}
