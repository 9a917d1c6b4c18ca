/**
 * Keap's error messages that docs/troubleshooting.md explains, as data: what is recognised in an
 * error (a gateway code, a status, Keap's own words) and the way out the page gives for it. A test
 * reads the page's hint lines and holds them equal to TROUBLESHOOTING, so the two cannot drift.
 */
import { ApiError, type CliError } from './errors.js';

/** What was recognised in Keap's answer. */
export type Recognised =
  | 'refresh-token-refused'
  | 'quota-exceeded'
  | 'input-not-converted'
  | 'region-without-country'
  | 'custom-field-rejected'
  | 'token-invalid'
  | 'token-expired'
  | 'token-not-approved'
  | 'token-missing'
  | 'client-not-approved';

/** The page's section (its anchor) and the way out it gives, word for word. */
export const TROUBLESHOOTING: Record<Recognised, { anchor: string; hint: string }> = {
  'refresh-token-refused': {
    anchor: 'invalid_grant-invalid-refresh-token',
    hint: 'the refresh token is dead (unused too long, rotated by another copy of this login, or the app was authorised again): run `infusionsoft auth login`, and give each machine or job its own login',
  },
  'quota-exceeded': {
    anchor: 'quota-exceeded-429',
    hint: "this credential's Keap quota or rate limit is used up: `infusionsoft auth status` shows the quota as last seen; wait for the reset (daily quotas reset at 00:00 UTC) or run jobs one after another",
  },
  'input-not-converted': {
    anchor: 'input-could-not-be-converted-to-a-valid-request',
    hint: 'Keap could not read a value (a date without milliseconds, text where a number belongs, a value outside its list): `infusionsoft describe RESOURCE` shows the fields and their types',
  },
  'region-without-country': {
    anchor: 'country-code-is-required-if-region-is-specified',
    hint: 'an address with a region needs its country: add `country_code` (three letters, such as USA) beside `region`, or leave `region` empty',
  },
  'custom-field-rejected': {
    anchor: 'custom-field-400s',
    hint: '`infusionsoft describe RESOURCE` lists the custom fields with their ids, types and options: send an id it shows and a value of that type',
  },
  'token-invalid': {
    anchor: 'keymanagementserviceinvalid_access_token',
    hint: 'Keap does not know this token (mistyped, revoked, or from another app): copy it again from Keap, or run `infusionsoft auth login`',
  },
  'token-expired': {
    anchor: 'keymanagementserviceaccess_token_expired',
    hint: 'OAuth access tokens last 24 hours: a stored login renews itself; for INFUSIONSOFT_ACCESS_TOKEN take a fresh one from `infusionsoft auth token`, or use INFUSIONSOFT_API_KEY',
  },
  'token-not-approved': {
    anchor: 'keymanagementserviceaccess_token_not_approved',
    hint: "the token was revoked, or the app's access was withdrawn in Keap: run `infusionsoft auth login` again",
  },
  'token-missing': {
    anchor: 'oauthv2invalidaccesstoken',
    hint: 'Keap found no token in the request: set INFUSIONSOFT_ACCESS_TOKEN or INFUSIONSOFT_API_KEY to the bare token (no `Bearer ` prefix, no quotes)',
  },
  'client-not-approved': {
    anchor: 'keymanagementserviceinvalid_client-client_id_not_approved',
    hint: "Keap does not accept this OAuth app's client id: check INFUSIONSOFT_CLIENT_ID against the app in Keap's developer portal, then run `infusionsoft auth login`",
  },
};

/** Apigee's `fault.detail.errorcode` on a 401 (API-FACTS.md section 9). */
const GATEWAY_CODES: Record<string, Recognised> = {
  'keymanagement.service.invalid_access_token': 'token-invalid',
  'keymanagement.service.access_token_expired': 'token-expired',
  'keymanagement.service.access_token_not_approved': 'token-not-approved',
  'oauth.v2.InvalidAccessToken': 'token-missing',
  'keymanagement.service.invalid_client-client_id_not_approved': 'client-not-approved',
};

/** Keap's words in a 400's `message`, first match wins. */
const BAD_REQUEST_MESSAGES: { pattern: RegExp; is: Recognised }[] = [
  { pattern: /^Input could not be converted to a valid request/i, is: 'input-not-converted' },
  { pattern: /country.?code is required if region/i, is: 'region-without-country' },
  { pattern: /custom.?field/i, is: 'custom-field-rejected' },
];

/** The token endpoint's `error_description` for a dead refresh token (API-FACTS.md section 1). */
const REFRESH_REFUSED = /invalid refresh token/i;

/** What docs/troubleshooting.md knows in this error or the errors that caused it, if anything. */
export function recognise(error: CliError): Recognised | undefined {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const known = recogniseOne(cause);
    if (known) return known;
  }
  return undefined;
}

function recogniseOne(error: Error): Recognised | undefined {
  if (error instanceof ApiError) {
    const byCode = error.code ? GATEWAY_CODES[error.code] : undefined;
    if (byCode) return byCode;
    if (error.status === 429) return 'quota-exceeded';
    if (error.status === 400) return BAD_REQUEST_MESSAGES.find(({ pattern }) => pattern.test(error.keapMessage))?.is;
    return undefined;
  }
  // The token endpoint's refusal (api/oauth.ts OAuthError), read by shape: importing api/ here
  // would load the HTTP client before the command is known.
  const description = (error as { description?: unknown }).description;
  if ('oauthCode' in error && typeof description === 'string' && REFRESH_REFUSED.test(description)) return 'refresh-token-refused';
  return undefined;
}
