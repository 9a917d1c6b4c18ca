/** `--faults`: injected 5xx, 429, 401, resets, slow and cut-off answers, at a rate each. */
import { UsageError } from '../errors.js';
import { Random, hash32 } from './random.js';
import { reply, type Outcome, type Reply } from './reply.js';
import type { StatsBook } from './stats.js';

export type FaultKind =
  | '500'
  | '502'
  | '503'
  | '504'
  | '5xx'
  | 'write-5xx'
  | '429'
  | 'reset'
  | 'slow'
  | 'truncate'
  | 'ignore-offset'
  | 'stuck-next'
  | 'gone'
  | 'drop-after-write'
  | GatewayRefusal;
export interface FaultRule {
  kind: FaultKind;
  rate: number;
}

const plainFaultKinds: readonly FaultKind[] = [
  '500',
  '502',
  '503',
  '504',
  '5xx',
  'write-5xx',
  '429',
  'reset',
  'slow',
  'truncate',
  'ignore-offset',
  'stuck-next',
  'gone',
  'drop-after-write',
];

/**
 * Keap's gateway refusing a credential with 401 and one of its `fault` error codes (API-FACTS.md
 * section 9; the codes are those the PMPro Keap plugin lists). Only `invalid_access_token` has a
 * recorded faultstring; the others are Apigee's wording, which clients must not depend on.
 */
export const GATEWAY_REFUSALS = {
  '401-invalid-token': { faultstring: 'Invalid Access Token', errorcode: 'keymanagement.service.invalid_access_token' },
  '401-expired-token': { faultstring: 'Access Token expired', errorcode: 'keymanagement.service.access_token_expired' },
  '401-token-not-approved': { faultstring: 'Access Token not approved', errorcode: 'keymanagement.service.access_token_not_approved' },
  '401-missing-token': { faultstring: 'Invalid access token', errorcode: 'oauth.v2.InvalidAccessToken' },
  '401-client-not-approved': {
    faultstring: 'Client Id not approved',
    errorcode: 'keymanagement.service.invalid_client-client_id_not_approved',
  },
} as const;
export type GatewayRefusal = keyof typeof GATEWAY_REFUSALS;

const faultKinds: readonly FaultKind[] = [...plainFaultKinds, ...(Object.keys(GATEWAY_REFUSALS) as GatewayRefusal[])];

export const QUOTA_FAULT = {
  fault: {
    faultstring: 'Rate limit quota violation. Quota limit exceeded. Identifier : sandbox',
    detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
  },
};
export const QUOTA_APP = { code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null };

/** How long a `slow` fault holds its answer. */
export const SLOW_MS = 1500;

/** Parses `500:0.05,429:0.02,reset:0.01`. Throws UsageError naming the bad part. */
export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const [kind, rateText, ...rest] = part.split(':');
    if (kind === undefined || rateText === undefined || rest.length > 0) {
      throw new UsageError(`--faults: "${part}" should be KIND:RATE, e.g. 503:0.05`);
    }
    if (!(faultKinds as readonly string[]).includes(kind)) {
      throw new UsageError(`--faults: "${part}" has unknown kind "${kind}"; kinds are ${faultKinds.join(', ')}`);
    }
    const rate = Number(rateText);
    if (rateText.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new UsageError(`--faults: "${part}" rate must be between 0 and 1`);
    }
    rules.push({ kind: kind as FaultKind, rate });
  }
  const total = rules.reduce((sum, rule) => sum + rule.rate, 0);
  if (total > 1 + 1e-9) throw new UsageError(`--faults: "${spec}" rates add up to ${total}, more than 1`);
  return rules;
}

/** Decides, per API request, whether a fault replaces (or spoils) the answer. Seeded: same seed, same faults. */
export class FaultInjector {
  private readonly rules: FaultRule[];
  private readonly random: Random;

  constructor(
    spec: string | undefined,
    seed: number,
    private readonly book: StatsBook,
  ) {
    this.rules = spec ? parseFaults(spec) : [];
    this.random = new Random(hash32(seed, 0xfa17));
  }

  /**
   * The fault for this request, counted in the stats; undefined for a clean answer, and for a fault
   * that cannot apply to this request (`skip`: `gone` on a list or a write, `drop-after-write` and
   * `write-5xx` on a read).
   */
  roll(skip?: (kind: FaultKind) => boolean): FaultKind | undefined {
    if (this.rules.length === 0) return undefined;
    const draw = this.random.next();
    let cumulative = 0;
    for (const rule of this.rules) {
      cumulative += rule.rate;
      if (draw < cumulative) {
        if (skip?.(rule.kind)) return undefined;
        const faults = this.book.current.faults;
        faults[rule.kind] = (faults[rule.kind] ?? 0) + 1;
        return rule.kind;
      }
    }
    return undefined;
  }

  /**
   * What a fault answers instead of the handler, or undefined when the handler still runs
   * (`slow`; `truncate` on a read, which spoils the handler's answer in transit; `drop-after-write`,
   * which lets the write act and then drops the connection instead of answering).
   */
  replace(kind: FaultKind, write: boolean, recordId?: string): Outcome | undefined {
    switch (kind) {
      case 'gone':
        // As Keap answers for a record deleted a moment before the request.
        return reply({ status: 404, body: { message: `Record with id ${recordId} not found` } });
      case 'reset':
        return { kind: 'reset' };
      case '401-invalid-token':
      case '401-expired-token':
      case '401-token-not-approved':
      case '401-missing-token':
      case '401-client-not-approved': {
        const { faultstring, errorcode } = GATEWAY_REFUSALS[kind];
        return reply({ status: 401, body: { fault: { faultstring, detail: { errorcode } } } });
      }
      case '429':
        return reply({ status: 429, body: this.random.next() < 0.5 ? QUOTA_FAULT : QUOTA_APP });
      case '500':
        return reply({ status: 500, body: { message: 'Internal Server Error' } });
      case '502':
      case '503':
      case '504':
      case '5xx':
      case 'write-5xx': {
        const status = kind === '5xx' || kind === 'write-5xx' ? ([502, 503, 504][Math.floor(this.random.next() * 3)] ?? 503) : Number(kind);
        return reply(gatewayError(status));
      }
      case 'truncate':
        // A cut-off write must not have acted: answer an error, cut off, without running it.
        return write ? reply({ status: 500, body: { message: 'Internal Server Error' } }, true) : undefined;
      default:
        return undefined;
    }
  }
}

function gatewayError(status: number): Reply {
  if (status === 503) {
    // Gateways sometimes answer with HTML: clients must not assume JSON.
    return {
      status,
      raw: '<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>',
      contentType: 'text/html',
    };
  }
  const text = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
  const code = status === 502 ? 'messaging.adaptors.http.flow.BadGateway' : 'messaging.adaptors.http.flow.GatewayTimeout';
  return { status, body: { fault: { faultstring: text, detail: { errorcode: code } } } };
}

/** The `stuck-next` fault: a list's `next` link names the offset just asked for, not the following one. */
export function pointNextAtItself(body: unknown, url: URL): void {
  if (typeof body !== 'object' || body === null || typeof (body as Record<string, unknown>)['next'] !== 'string') return;
  const list = body as Record<string, unknown>;
  const next = new URL(list['next'] as string);
  next.searchParams.set('offset', url.searchParams.get('offset') ?? '0');
  list['next'] = next.href;
}
