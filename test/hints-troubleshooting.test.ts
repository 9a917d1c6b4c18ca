/**
 * The hints for Keap's errors that docs/troubleshooting.md explains (issue 19, item 6): the page and
 * the CLI's table say the same thing, and each kind of error is recognised from what Keap sent.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, AuthError, CliError } from '../src/errors.js';
import { hintFor } from '../src/hints.js';
import { recognise, TROUBLESHOOTING, type Recognised } from '../src/troubleshooting.js';
import { OAuthError } from '../src/api/oauth.js';
import { docHint, troubleshootingHints } from './support/troubleshooting-doc.js';

const apiError = (status: number, keapMessage: string, code?: string) =>
  new ApiError({ status, keapMessage, method: 'GET', url: 'https://api.infusionsoft.com/crm/rest/v1/contacts', ...(code ? { code } : {}) });

describe('docs/troubleshooting.md and the hint table', () => {
  it('gives, under each anchor the table names, the hint the table holds, word for word', () => {
    for (const [known, { anchor, hint }] of Object.entries(TROUBLESHOOTING)) {
      expect(docHint(anchor), known).toBe(hint);
    }
  });

  it('has no hint line the table does not hold', () => {
    const table = new Set(Object.values(TROUBLESHOOTING).map((entry) => entry.hint));
    const lines = troubleshootingHints();
    expect(lines.length).toBeGreaterThanOrEqual(table.size);
    for (const line of lines) expect(table.has(line.hint), `#${line.anchor}: ${line.hint}`).toBe(true);
  });
});

describe('recognise', () => {
  const cases: [string, Error, Recognised][] = [
    [
      'the gateway fault body, quota',
      apiError(429, 'Rate limit quota violation. Quota limit exceeded. Identifier : x', 'policies.ratelimit.QuotaViolation'),
      'quota-exceeded',
    ],
    ['the app-style 429 body', apiError(429, 'Quota Exceeded', '429'), 'quota-exceeded'],
    ['Keap conversion failure', apiError(400, 'Input could not be converted to a valid request'), 'input-not-converted'],
    ['region without country', apiError(400, 'Country Code is required if Region is specified'), 'region-without-country'],
    ['an unknown custom field', apiError(400, 'Invalid custom field id: 999'), 'custom-field-rejected'],
    [
      'a custom field value',
      apiError(400, 'Invalid value for custom field Shoe size (WholeNumber): expected a whole number'),
      'custom-field-rejected',
    ],
    [
      'invalid_grant on refresh',
      new OAuthError(400, 'invalid_grant', 'Invalid refresh token', 'https://api.infusionsoft.com/token'),
      'refresh-token-refused',
    ],
    [
      'invalid_request on refresh',
      new OAuthError(400, 'invalid_request', 'Invalid Refresh Token', 'https://api.infusionsoft.com/token'),
      'refresh-token-refused',
    ],
  ];
  for (const [name, error, known] of cases) {
    it(`recognises ${name}`, () => expect(recognise(error as CliError)).toBe(known));
  }

  it('recognises each gateway code on a 401, also as the cause of the refused-credential error', () => {
    const codes: [string, Recognised][] = [
      ['keymanagement.service.invalid_access_token', 'token-invalid'],
      ['keymanagement.service.access_token_expired', 'token-expired'],
      ['keymanagement.service.access_token_not_approved', 'token-not-approved'],
      ['oauth.v2.InvalidAccessToken', 'token-missing'],
      ['keymanagement.service.invalid_client-client_id_not_approved', 'client-not-approved'],
    ];
    for (const [code, known] of codes) {
      const refused = new AuthError('Keap refused the credential', { problem: 'refused', cause: apiError(401, 'x', code) });
      expect(recognise(refused), code).toBe(known);
    }
  });

  it('leaves alone what the page does not explain', () => {
    expect(recognise(apiError(400, 'Contact must contain at least one email address or phone number'))).toBeUndefined();
    expect(recognise(apiError(404, 'Record with id 9 not found'))).toBeUndefined();
    expect(recognise(apiError(401, 'Unauthorized'))).toBeUndefined();
    // An authorization code refused is not a dead refresh token.
    expect(recognise(new OAuthError(400, 'invalid_grant', 'Invalid authorization code', 'https://x/token'))).toBeUndefined();
    expect(recognise(new CliError('disk full'))).toBeUndefined();
  });
});

describe('hintFor', () => {
  it("puts the page's hint, and where to read more, under the error's own hint", () => {
    const error = apiError(429, 'Quota Exceeded').withHint("Keap's product quota is used up");
    expect(hintFor(error)).toBe(
      `Keap's product quota is used up\n${TROUBLESHOOTING['quota-exceeded'].hint} (docs/troubleshooting.md#quota-exceeded-429)`,
    );
    expect(hintFor(apiError(400, 'Input could not be converted to a valid request'))).toBe(
      `${TROUBLESHOOTING['input-not-converted'].hint} (docs/troubleshooting.md#input-could-not-be-converted-to-a-valid-request)`,
    );
  });
});
