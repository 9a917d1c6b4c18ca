/**
 * How the run's proxy is settled from --proxy and the environment (src/api/proxy.ts): the variable
 * names and their precedence as undici reads them, NO_PROXY matching, a --proxy with credentials
 * refused, and a proxy never shown with its credentials. Requests through a real proxy:
 * test/commands/proxy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { proxyFor, resolveProxySettings, shownProxy } from '../../src/api/proxy.js';

const settings = (env: NodeJS.ProcessEnv, flag?: string) => resolveProxySettings(flag, env);
const via = (url: string, env: NodeJS.ProcessEnv, flag?: string) => proxyFor(new URL(url), settings(env, flag))?.shown;

describe('resolveProxySettings', () => {
  it('HTTPS_PROXY for https://, HTTP_PROXY for http:// and for https:// without HTTPS_PROXY', () => {
    expect(via('https://api.infusionsoft.com/x', { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' })).toBe(
      'http://secure:3128',
    );
    expect(via('http://127.0.0.1:8080/x', { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' })).toBe(
      'http://plain:3128',
    );
    expect(via('https://api.infusionsoft.com/x', { HTTP_PROXY: 'http://plain:3128' })).toBe('http://plain:3128');
    expect(via('http://127.0.0.1:8080/x', { HTTPS_PROXY: 'http://secure:3128' })).toBeUndefined();
    expect(via('https://api.infusionsoft.com/x', {})).toBeUndefined();
  });

  it('reads the lower-case name first, even when it is empty', () => {
    expect(via('https://k/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toBe('http://lower:1');
    expect(via('https://k/x', { https_proxy: '', HTTPS_PROXY: 'http://upper:2' })).toBeUndefined();
    expect(via('https://k/x', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128');
  });

  it('NO_PROXY: hosts, host:port, subdomains, a leading dot and *', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy });
    expect(via('https://api.infusionsoft.com/x', env('infusionsoft.com'))).toBeUndefined();
    expect(via('https://api.infusionsoft.com/x', env('.infusionsoft.com'))).toBeUndefined();
    expect(via('https://api.infusionsoft.com/x', env('*.infusionsoft.com'))).toBeUndefined();
    expect(via('https://api.infusionsoft.com/x', env('xinfusionsoft.com'))).toBe('http://p:1');
    expect(via('http://127.0.0.1:8080/x', env('127.0.0.1:8080'))).toBeUndefined();
    expect(via('http://127.0.0.1:8081/x', env('127.0.0.1:8080'))).toBe('http://p:1');
    expect(via('http://127.0.0.1:8081/x', env('*'))).toBeUndefined();
    expect(via('http://127.0.0.1:8081/x', { ...env(''), no_proxy: 'localhost, 127.0.0.1' })).toBeUndefined();
    // Loopback is not exempt by default, as in undici.
    expect(via('http://127.0.0.1:8081/x', env(''))).toBe('http://p:1');
  });

  it('--proxy replaces the variables and borrows the credentials of a variable naming the same proxy', () => {
    expect(via('https://k/x', { HTTPS_PROXY: 'http://env:1' }, 'http://flag:2')).toBe('http://flag:2');
    const borrowed = settings({ HTTPS_PROXY: 'http://me:s3cret@flag:2' }, 'http://flag:2');
    expect(new URL(borrowed.httpsProxy).password).toBe('s3cret');
    expect(new URL(settings({ HTTPS_PROXY: 'http://me:s3cret@other:2' }, 'http://flag:2').httpsProxy).password).toBe('');
  });

  it('refuses a --proxy with a user name or password, and names neither in the message', () => {
    for (const flag of ['http://me:s3cret@p:1', 'http://me@p:1', 'me:s3cret@p:1']) {
      const error = (() => {
        try {
          settings({}, flag);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).not.toMatch(/s3cret|me@/);
    }
  });

  it('refuses a proxy that is not http(s) without echoing it', () => {
    expect(() => settings({ HTTPS_PROXY: 'ftp://me:s3cret@p:1' })).toThrow(/HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy/);
    expect(() => settings({ HTTPS_PROXY: 'http://me:s3cret@[bad' })).toThrow(/^HTTPS_PROXY is not a proxy URL$/);
  });
});

describe('shownProxy', () => {
  it('hides the user name and password', () => {
    expect(shownProxy('http://me:s3cret@proxy.corp:3128/')).toBe('http://***@proxy.corp:3128');
    expect(shownProxy('http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
  });
});
