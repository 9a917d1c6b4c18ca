import { describe, expect, it } from 'vitest';
import {
  type AttemptResult,
  backoffMs,
  type Decision,
  decide,
  failedBeforeSending,
  MAX_THROTTLE_RETRIES,
  type RequestState,
  throttleWaitMs,
} from '../../src/api/retry-decision.js';

/** A GET with retries left, no 429s yet, a 401 still renewable. */
const get: RequestState = {
  safe: true,
  retriesLeft: true,
  mayRenew: true,
  throttled: 0,
  throttledForMs: 0,
  throttlePatienceMs: 120_000,
};
/** A POST (or PUT, PATCH, DELETE): not repeated after a lost answer unless the caller says so. */
const post: RequestState = { ...get, safe: false };
const spent = { retriesLeft: false };

const status = (code: number, extra: Partial<Extract<AttemptResult, { kind: 'response' }>> = {}): AttemptResult => ({
  kind: 'response',
  status: code,
  bodyOk: true,
  pausedMs: 0,
  ...extra,
});
const network = (code: string, sent: boolean): AttemptResult => ({ kind: 'failure', code, sent });

const retry = (outcome: string): Decision => ({ kind: 'retry', outcome });
const fail = (error: Extract<Decision, { kind: 'fail' }>['error']): Decision => ({ kind: 'fail', error });

describe('decide: what the client does with one attempt', () => {
  it.each<[string, AttemptResult, RequestState, Decision]>([
    // 2xx
    ['200 with its body', status(200), get, { kind: 'accept' }],
    ['201 to a POST', status(201), post, { kind: 'accept' }],
    ['204 (an empty body is a body)', status(204), post, { kind: 'accept' }],
    ['200 cut off, GET', status(200, { bodyOk: false }), get, retry('200 with a cut-off body')],
    ['200 cut off, GET, retries spent', status(200, { bodyOk: false }), { ...get, ...spent }, fail('cut-off')],
    ['200 cut off, POST: did it act?', status(200, { bodyOk: false }), post, fail('cut-off-unknown')],
    ['200 cut off, POST with retry: true', status(200, { bodyOk: false }), { ...post, safe: true }, retry('200 with a cut-off body')],

    // 401 and 403: refused, never processed
    ['401, GET: renew', status(401), get, { kind: 'renew' }],
    ['401, POST: renew too', status(401), post, { kind: 'renew' }],
    ['401, retries spent: renew anyway (its own budget)', status(401), { ...get, ...spent }, { kind: 'renew' }],
    ['401 after a renewal (or from another API)', status(401), { ...get, mayRenew: false }, fail('auth')],
    ['403: the credential works, it may not do this', status(403), get, fail('auth')],

    // 429: refused, never processed; quota vs throttle from the headers (the pacer's observation)
    ['429 with a used-up daily quota', status(429, { quotaExhausted: true }), get, fail('quota')],
    ['429 with a used-up daily quota, POST', status(429, { quotaExhausted: true }), post, fail('quota')],
    ['429, window spent (pacer holds)', status(429, { pausedMs: 1000 }), get, { kind: 'retry-throttled', pacerHolds: true }],
    ['429 without headers', status(429), get, { kind: 'retry-throttled', pacerHolds: false }],
    ['429 to a POST', status(429), post, { kind: 'retry-throttled', pacerHolds: false }],
    ['429, other retries spent (its own budget)', status(429), { ...get, ...spent }, { kind: 'retry-throttled', pacerHolds: false }],
    [
      '429, one short of the 429 cap',
      status(429),
      { ...get, throttled: MAX_THROTTLE_RETRIES - 1 },
      { kind: 'retry-throttled', pacerHolds: false },
    ],
    ['429, at the 429 cap', status(429), { ...get, throttled: MAX_THROTTLE_RETRIES }, fail('throttle-patience')],
    ['429, patience run out', status(429), { ...get, throttled: 3, throttledForMs: 120_000 }, fail('throttle-patience')],
    ['429, patience zero', status(429), { ...get, throttlePatienceMs: 0 }, fail('throttle-patience')],

    // 5xx: a read is repeated; a write is not, and stays an ApiError with its status (apply.ts judges gateways)
    ['500, GET', status(500), get, retry('500')],
    ['502, GET', status(502), get, retry('502')],
    ['503, GET', status(503), get, retry('503')],
    ['504, GET', status(504), get, retry('504')],
    ['503, GET, retries spent', status(503), { ...get, ...spent }, fail('status')],
    ['503, POST', status(503), post, fail('status')],
    ['502, POST', status(502), post, fail('status')],
    ['504, PUT or DELETE', status(504), post, fail('status')],
    ['503, POST with retry: true', status(503), { ...post, safe: true }, retry('503')],
    ['501 is not transient', status(501), get, fail('status')],
    ['505 is not transient', status(505), get, fail('status')],

    // other 4xx: final
    ['400', status(400), get, fail('status')],
    ['404', status(404), get, fail('status')],
    ['422, POST', status(422), post, fail('status')],

    // no answer
    ['reset, GET', network('ECONNRESET', true), get, retry('ECONNRESET')],
    ['reset, GET, retries spent', network('ECONNRESET', true), { ...get, ...spent }, fail('network')],
    ['reset, POST: it was sent', network('ECONNRESET', true), post, fail('outcome-unknown')],
    ['headers timeout, POST', network('UND_ERR_HEADERS_TIMEOUT', true), post, fail('outcome-unknown')],
    ['headers timeout, GET', network('UND_ERR_HEADERS_TIMEOUT', true), get, retry('UND_ERR_HEADERS_TIMEOUT')],
    ['cut-off 2xx body, POST', network('UND_ERR_RES_CONTENT_LENGTH_MISMATCH', true), post, fail('outcome-unknown')],
    ['refused connection, POST: nothing left', network('ECONNREFUSED', false), post, retry('ECONNREFUSED')],
    ['refused connection, retries spent', network('ECONNREFUSED', false), { ...post, ...spent }, fail('unreachable')],
    ['unknown host: not worth repeating', network('ENOTFOUND', false), get, fail('unreachable')],
    ['TLS certificate refused', network('CERT_HAS_EXPIRED', false), post, fail('unreachable')],
    ['an unknown failure after sending, GET', network('SomeError', true), get, fail('network')],
    ['an unknown failure after sending, POST', network('SomeError', true), post, fail('outcome-unknown')],
  ])('%s', (_case, result, state, decision) => {
    expect(decide(result, state)).toEqual(decision);
  });
});

describe('failedBeforeSending: nothing reached the server', () => {
  it.each<[string, boolean]>([
    ['ECONNREFUSED', true],
    ['EAI_AGAIN', true],
    ['UND_ERR_CONNECT_TIMEOUT', true],
    ['EHOSTUNREACH', true],
    ['ENETUNREACH', true],
    ['ENOTFOUND', true],
    ['EPROTO', true],
    ['ERR_TLS_CERT_ALTNAME_INVALID', true],
    ['ERR_SSL_WRONG_VERSION_NUMBER', true],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', true],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', true],
    ['ECONNRESET', false],
    ['EPIPE', false],
    ['UND_ERR_SOCKET', false],
    ['UND_ERR_HEADERS_TIMEOUT', false],
  ])('%s -> %s', (code, before) => {
    expect(failedBeforeSending(code)).toBe(before);
  });
});

describe('waits', () => {
  const policy = { baseMs: 250, maxMs: 20_000 };
  it.each<[number, number, number]>([
    [0, 1, 250],
    [1, 1, 500],
    [3, 0.5, 1000],
    [0, 0, 0],
    [10, 1, 20_000],
  ])('backoff after attempt %i with jitter %f: %i ms', (attempt, jitter, ms) => {
    expect(backoffMs(attempt, jitter, policy)).toBe(ms);
  });

  it.each<[number, number, number]>([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [20, 0, 10_000],
    [20, 1, 20_000],
  ])('429 wait before throttle retry %i with jitter %f: %i ms (never under half the step)', (throttled, jitter, ms) => {
    expect(throttleWaitMs(throttled, jitter, policy)).toBe(ms);
  });
});
