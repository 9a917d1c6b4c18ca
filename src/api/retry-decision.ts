/**
 * What the client does with one attempt's result: accept it, send it again (and after what
 * wait), ask the credential source to renew, or fail with which error. A pure function of the
 * attempt and the request's budgets, so every case is one row of a table
 * (test/api/retry-decision.test.ts); `client.ts` carries it out (the waits, the logs, the errors).
 *
 * Keap's 429s carry no `Retry-After` (API-FACTS.md section 3); the client does not read one.
 * Whether a 429 is a used-up daily quota or a throttle is read from the `x-keap-*-quota-*`
 * headers (the pacer's observation), not from the body's wording.
 */

/**
 * Methods repeated after a lost answer (5xx, reset, cut-off body). Only reads: a POST or PATCH
 * could act twice, PUT /contacts is an upsert that can create, and a DELETE that did go through
 * comes back as 404. Callers that know a write is idempotent pass `retry: true`.
 */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * How long a run keeps retrying 429s that carry no throttle headers. Keap's windows are per minute,
 * so giving up after a few seconds of backoff would fail a cron job on any burst.
 */
export const THROTTLE_PATIENCE_MS = 120_000;
/** At most this many 429 retries for one request, whatever the patience left. */
export const MAX_THROTTLE_RETRIES = 30;
const RETRY_STATUSES = new Set([500, 502, 503, 504]);
/** Failures before anything reached the server: a repeat is harmless for any method. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Failures worth another attempt (transient). ENOTFOUND is not: a mistyped host fails at once. */
const TRANSIENT_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
]);

/** Whether the failure happened before the request could leave: lookup, connect or TLS handshake. */
export function failedBeforeSending(code: string): boolean {
  return (
    NOT_SENT_CODES.has(code) ||
    code === 'ENOTFOUND' ||
    code === 'EPROTO' ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)
  );
}

/** One attempt's result, as far as the decision needs it. */
export type AttemptResult =
  | {
      kind: 'response';
      status: number;
      /** For a 2xx: whether its body could be used (false: cut off, or not the JSON it claims). */
      bodyOk: boolean;
      /** The pacer's reading of the response's throttle and quota headers. */
      quotaExhausted?: boolean;
      /** How long the pacer now holds every request (0: the headers did not say a window is spent). */
      pausedMs: number;
    }
  /** No usable answer: `sent` false when it failed before anything left (see failedBeforeSending). */
  | { kind: 'failure'; code: string; sent: boolean };

export interface RequestState {
  /** The method may be repeated after a lost answer (a read, or `retry: true`). */
  safe: boolean;
  /** Retries left for 5xx and network failures (401 renewals and 429s do not count against them). */
  retriesLeft: boolean;
  /** A 401 may still be answered by renewing: none renewed yet, and the credential's own API said it. */
  mayRenew: boolean;
  /** 429 retries so far, and how long since the first 429 of this request. */
  throttled: number;
  throttledForMs: number;
  throttlePatienceMs: number;
}

export type Decision =
  | { kind: 'accept' }
  /** Ask the credential source to renew; send again when it did, else fail as `auth`. */
  | { kind: 'renew' }
  /** Send again after an exponential backoff with jitter. */
  | { kind: 'retry'; outcome: string }
  /** A 429 within patience: send again, after the pacer's hold when it holds, else a throttle backoff. */
  | { kind: 'retry-throttled'; pacerHolds: boolean }
  | { kind: 'fail'; error: FailureKind };

export type FailureKind =
  /** 401 or 403: an AuthError. */
  | 'auth'
  /** 429 with a used-up daily quota: an ApiError saying when it resets. */
  | 'quota'
  /** 429s past patience: an ApiError saying other jobs may share the limit. */
  | 'throttle-patience'
  /** Any other status (5xx past retries or on a write, 4xx): an ApiError with Keap's message. */
  | 'status'
  /** A read's 2xx whose body stayed cut off: an ApiError. */
  | 'cut-off'
  /** A write's 2xx whose body was cut off: OutcomeUnknownError. */
  | 'cut-off-unknown'
  /** Nothing was sent: a NetworkError, the API unreachable. */
  | 'unreachable'
  /** A write sent and then lost: OutcomeUnknownError. */
  | 'outcome-unknown'
  /** A read that kept failing on the network: a NetworkError. */
  | 'network';

/** Retry, renew or fail, and which failure, for one attempt. */
export function decide(result: AttemptResult, state: RequestState): Decision {
  if (result.kind === 'failure') {
    const retryable = TRANSIENT_CODES.has(result.code) && (state.safe || !result.sent);
    if (retryable && state.retriesLeft) return { kind: 'retry', outcome: result.code };
    if (!result.sent) return { kind: 'fail', error: 'unreachable' };
    return { kind: 'fail', error: state.safe ? 'network' : 'outcome-unknown' };
  }
  const { status } = result;
  if (status >= 200 && status < 300) {
    if (result.bodyOk) return { kind: 'accept' };
    // The answer was lost in transit: a read asks again, a write cannot know what happened.
    if (state.safe && state.retriesLeft) return { kind: 'retry', outcome: `${status} with a cut-off body` };
    return { kind: 'fail', error: state.safe ? 'cut-off' : 'cut-off-unknown' };
  }
  // A 401 was refused, not processed, so sending it again is safe for any method; once only.
  if (status === 401 && state.mayRenew) return { kind: 'renew' };
  if (status === 401 || status === 403) return { kind: 'fail', error: 'auth' };
  if (status === 429) {
    // Waiting hours for a daily quota is not retrying: stop and say when it resets.
    if (result.quotaExhausted) return { kind: 'fail', error: 'quota' };
    // A throttled request was refused, not processed: repeating it is safe for any method.
    // 429s have their own budget, in time: a per-minute window can take a minute to reopen.
    const patient = state.throttled < MAX_THROTTLE_RETRIES && state.throttledForMs < state.throttlePatienceMs;
    if (patient) return { kind: 'retry-throttled', pacerHolds: result.pausedMs !== 0 };
    return { kind: 'fail', error: 'throttle-patience' };
  }
  // A 5xx on a write is not repeated and stays a plain ApiError with its status: whether Keap
  // acted behind a gateway's 502/503/504 is the import engine's call (apply.ts), not the client's.
  if (RETRY_STATUSES.has(status) && state.safe && state.retriesLeft) return { kind: 'retry', outcome: `${status}` };
  return { kind: 'fail', error: 'status' };
}

export interface BackoffPolicy {
  /** First backoff step in milliseconds. */
  baseMs: number;
  /** Longest single backoff in milliseconds. */
  maxMs: number;
}

/** The wait before retry `attempt + 1` of a 5xx or network failure: full jitter over a doubling step. */
export function backoffMs(attempt: number, jitter: number, policy: BackoffPolicy): number {
  return jitter * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
}

/**
 * The wait before the `throttled`-th retry of a 429 that set no pacer hold: never less than half
 * the step (four times the backoff's), so a burst is not met with instant repeats.
 */
export function throttleWaitMs(throttled: number, jitter: number, policy: BackoffPolicy): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 4 * 2 ** (throttled - 1));
  return step / 2 + (jitter * step) / 2;
}
