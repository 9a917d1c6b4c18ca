import { describe, expect, it } from 'vitest';
import { credentialFromEnv, DEFAULT_API_URL, resolveApiUrl } from '../../src/api/credentials.js';
import { UsageError } from '../../src/errors.js';

describe('credentialFromEnv', () => {
  it('prefers the OAuth access token, sent as bearer', () => {
    expect(credentialFromEnv({ INFUSIONSOFT_ACCESS_TOKEN: 'tok', INFUSIONSOFT_API_KEY: 'key' })).toEqual({
      kind: 'bearer',
      token: 'tok',
      source: 'INFUSIONSOFT_ACCESS_TOKEN',
    });
  });

  it('falls back to the API key', () => {
    expect(credentialFromEnv({ INFUSIONSOFT_ACCESS_TOKEN: '  ', INFUSIONSOFT_API_KEY: 'KeapAK-1' })).toEqual({
      kind: 'api-key',
      key: 'KeapAK-1',
      source: 'INFUSIONSOFT_API_KEY',
    });
  });

  it('is undefined when neither is set', () => {
    expect(credentialFromEnv({})).toBeUndefined();
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
