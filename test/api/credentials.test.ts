import { describe, expect, it } from 'vitest';
import { apiKeySource, bearerTokenSource, DEFAULT_API_URL } from '../../src/api/credentials.js';
import { credentialSourceFromEnv, resolveApiUrl } from '../../src/auth/resolver.js';
import { UsageError } from '../../src/errors.js';

describe('credentialSourceFromEnv', () => {
  it('prefers the OAuth access token, sent as bearer', async () => {
    const source = credentialSourceFromEnv({ INFUSIONSOFT_ACCESS_TOKEN: 'tok', INFUSIONSOFT_API_KEY: 'key' });
    expect(source?.describe()).toBe('INFUSIONSOFT_ACCESS_TOKEN');
    expect(source?.scheme).toBe('bearer');
    expect(await source?.header()).toEqual({ authorization: 'Bearer tok' });
  });

  it('falls back to the API key, sent as X-Keap-API-Key', async () => {
    const source = credentialSourceFromEnv({ INFUSIONSOFT_ACCESS_TOKEN: '  ', INFUSIONSOFT_API_KEY: ' KeapAK-1 ' });
    expect(source?.describe()).toBe('INFUSIONSOFT_API_KEY');
    expect(source?.scheme).toBe('api-key');
    expect(await source?.header()).toEqual({ 'x-keap-api-key': 'KeapAK-1' });
  });

  it('is undefined when neither is set', () => {
    expect(credentialSourceFromEnv({})).toBeUndefined();
  });

  it('cannot renew a fixed secret: a 401 is final', async () => {
    expect(await credentialSourceFromEnv({ INFUSIONSOFT_API_KEY: 'k' })?.onUnauthorized()).toBe(false);
  });

  it('never puts the secret in its description', () => {
    expect(bearerTokenSource('secret-token', 'sandbox').describe()).toBe('sandbox');
    expect(apiKeySource('KeapAK-secret', 'INFUSIONSOFT_API_KEY').describe()).not.toContain('secret');
  });
});

describe('resolveApiUrl', () => {
  it('takes the flag first, then the environment, then Keap', () => {
    const env = { INFUSIONSOFT_API_URL: 'http://127.0.0.1:9/env/v1' };
    expect(resolveApiUrl('http://127.0.0.1:8/flag/v1', env)).toBe('http://127.0.0.1:8/flag/v1');
    expect(resolveApiUrl(undefined, env)).toBe('http://127.0.0.1:9/env/v1');
    expect(resolveApiUrl(undefined, {})).toBe(DEFAULT_API_URL);
  });

  it('strips a trailing slash', () => {
    expect(resolveApiUrl('https://api.infusionsoft.com/crm/rest/v1/', {})).toBe('https://api.infusionsoft.com/crm/rest/v1');
  });

  it('names --api-url when the flag is not an http URL', () => {
    expect(() => resolveApiUrl('api.infusionsoft.com', {})).toThrow(UsageError);
    expect(() => resolveApiUrl('api.infusionsoft.com', {})).toThrow(/--api-url/);
    expect(() => resolveApiUrl('ftp://example.com/v1', {})).toThrow(/--api-url must be an http or https URL/);
  });

  it('names the environment variable when that is wrong', () => {
    expect(() => resolveApiUrl(undefined, { INFUSIONSOFT_API_URL: 'file:///etc/passwd' })).toThrow(/INFUSIONSOFT_API_URL/);
  });
});
