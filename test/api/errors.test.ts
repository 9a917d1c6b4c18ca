import { describe, expect, it } from 'vitest';
import { keapError, keapMessage, redactUrl } from '../../src/api/errors.js';

const JSON_TYPE = 'application/json;charset=UTF-8';

describe('keapMessage', () => {
  it("reads the app's {message}", () => {
    expect(keapMessage(400, JSON_TYPE, '{"message":"Input could not be converted to a valid request"}')).toBe(
      'Input could not be converted to a valid request',
    );
  });

  it('reads an Apigee fault with its error code', () => {
    const body = '{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}';
    expect(keapError(401, 'application/json', body)).toEqual({
      message: 'Invalid Access Token',
      code: 'keymanagement.service.invalid_access_token',
    });
  });

  it('reads an OAuth error', () => {
    expect(keapError(400, JSON_TYPE, '{"error":"invalid_grant","error_description":"Invalid refresh token"}')).toEqual({
      message: 'Invalid refresh token',
      code: 'invalid_grant',
    });
  });

  it('reads the v2 {code, message, status} shape', () => {
    const body = '{"code":"429","message":"Quota Exceeded","status":"Request Throttled","details":null}';
    expect(keapError(429, JSON_TYPE, body)).toEqual({ message: 'Quota Exceeded', code: '429' });
  });

  it("reads an HTML page's title, else its h1", () => {
    // The status is shown beside the message, so the page's own "502" is not repeated.
    expect(keapMessage(502, 'text/html', '<html><head><title>502 Bad Gateway</title></head><body>x</body></html>')).toBe('Bad Gateway');
    expect(keapMessage(503, 'text/html; charset=utf-8', '<html><body><h1>Service &amp; <b>Unavailable</b></h1></body></html>')).toBe(
      'Service & Unavailable',
    );
  });

  it('falls back to the status text on bad or empty JSON, never throwing', () => {
    expect(keapMessage(500, JSON_TYPE, '{"message": "cut off')).toBe('Internal Server Error');
    expect(keapMessage(404, JSON_TYPE, '')).toBe('Not Found');
    expect(keapMessage(400, JSON_TYPE, '[1,2]')).toBe('Bad Request');
    expect(keapMessage(599, undefined, '\u0000garbage')).toBe('HTTP 599');
  });
});

describe('redactUrl', () => {
  it('removes credential query parameters and keeps the rest', () => {
    expect(
      redactUrl('https://api.infusionsoft.com/crm/rest/v1/contacts?access_token=s3cret&limit=5&api_key=k&optional_properties=a,b'),
    ).toBe('https://api.infusionsoft.com/crm/rest/v1/contacts?limit=5&optional_properties=a,b');
  });
});
