/**
 * The error a request ends with, for each way `decide` (retry-decision.ts) says it failed: what
 * the person reads. The hint for a refused credential is the command layer's (hints.ts).
 */
import { ApiError, AuthError, NetworkError } from '../errors.js';
import { keapError, OutcomeUnknownError } from './errors.js';
import type { FailureKind } from './retry-decision.js';
import type { CredentialSource } from './types.js';
import { URL_HINT } from './url.js';

const UNKNOWN_HINT = 'check in Keap whether the change was made before sending it again';

export interface FailedRequest {
  method: string;
  /** The whole URL without secrets, and the same relative to the base. */
  shown: string;
  shownPath: string;
  /** The base URL, for "could not reach". */
  baseUrl: string;
  attempt: number;
  credentials: CredentialSource;
  /** The last answer, or the network failure's code and error. */
  result:
    | { kind: 'response'; status: number; contentType: string | undefined; text: string }
    | { kind: 'failure'; code: string; error: unknown };
  /** For `quota`: the used-up window's family and when it resets. */
  quota?: { family: string; resetAt?: number };
  /** For `throttle-patience`: how long 429s were retried. */
  throttledForMs?: number;
  /** A network failure of a request sent through a proxy: which one, and what to check. */
  proxy?: { suffix: string; hint: string };
}

export function failureError(kind: FailureKind, request: FailedRequest): Error {
  const { method, shown, result } = request;
  if (result.kind === 'failure') {
    const via = request.proxy?.suffix ?? '';
    if (kind === 'unreachable') {
      return new NetworkError(`could not reach ${request.baseUrl}: ${result.code}${via}`, {
        hint: request.proxy?.hint ?? URL_HINT,
        cause: result.error,
      });
    }
    if (kind === 'outcome-unknown') {
      return new OutcomeUnknownError(`${method} ${shown}: ${result.code} after the request was sent; the outcome is unknown`, {
        hint: UNKNOWN_HINT,
        cause: result.error,
      });
    }
    const attempts = request.attempt > 0 ? ` (after ${request.attempt + 1} attempts)` : '';
    return new NetworkError(`${method} ${shown} failed: ${result.code}${attempts}${via}`, {
      hint: request.proxy?.hint ?? `check your network connection; ${URL_HINT}`,
      cause: result.error,
    });
  }
  const { status } = result;
  if (kind === 'cut-off-unknown') {
    return new OutcomeUnknownError(`${method} ${shown}: Keap answered ${status} but the answer was cut off; the outcome is unknown`, {
      hint: UNKNOWN_HINT,
    });
  }
  if (kind === 'cut-off') {
    return new ApiError({ status, keapMessage: 'the response body was cut off or is not valid JSON', method, url: shown });
  }
  const detail = keapError(status, result.contentType, result.text);
  const apiError = (hint?: string) =>
    new ApiError(
      { status, keapMessage: detail.message, method, url: shown, ...(detail.code ? { code: detail.code } : {}) },
      hint ? { hint } : undefined,
    );
  switch (kind) {
    case 'auth':
      return authError(status, `${detail.message}${detail.code ? ` (${detail.code})` : ''}`, request, apiError());
    case 'quota': {
      const reset = request.quota?.resetAt;
      const family = (request.quota?.family ?? '').replace(/#\d+$/, '');
      return apiError(`Keap's ${family} quota is used up${reset ? `; it resets at ${new Date(reset).toISOString()}` : ''}`);
    }
    case 'throttle-patience':
      return apiError(
        `Keap kept answering 429 (throttled) for ${Math.round((request.throttledForMs ?? 0) / 1000)} s; other jobs may share this credential's limit: wait a few minutes, or run them one after another`,
      );
    default:
      return apiError();
  }
}

/** What Keap refused and from where; the hint (what to do) is the command layer's (hints.ts). */
function authError(status: number, what: string, request: FailedRequest, cause: ApiError): AuthError {
  const source = request.credentials.describe();
  const credential = { source, scheme: request.credentials.scheme };
  // Hints pick the way out from where it came from (hints.ts), never from `source`'s wording.
  const credentialFrom = request.credentials.from;
  if (status === 403) {
    return new AuthError(`Keap refused ${request.method} ${request.shownPath}: 403 ${what}`, {
      problem: 'forbidden',
      credential,
      credentialFrom,
      cause,
    });
  }
  return new AuthError(`Keap refused the credential from ${source}: 401 ${what}`, {
    problem: 'refused',
    credential,
    credentialFrom,
    cause,
  });
}
