/**
 * Client-side pacing from Keap's throttle headers (API-FACTS.md section 3). One pacer per client:
 * every request, whichever caller sends it, takes a token first. The bucket runs a little under
 * the tightest advertised rate, and its burst is small enough that no window (a second, a
 * minute) ever sees more than its limit, so a well-behaved run sees (almost) no 429s, and costs
 * nothing when the advertised rate is generous. Before the first response the pacer assumes the
 * credential's documented limits; a key also stays under Keap's unannounced 5/s spike arrest.
 */

export interface ThrottleWindow {
  /** Header family and window index: `product-throttle`, `tenant-throttle#1`, `product-spike`. */
  family: string;
  limit: number;
  windowMs: number;
  /** Requests left in the current window, when Keap said. */
  available?: number;
  /** When the window resets (epoch ms), when Keap said (`*-quota-expiry-time`). */
  resetAt?: number;
}

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_592_000_000,
};

const FAMILIES = ['product-throttle', 'tenant-throttle', 'product-quota', 'tenant-quota'];

/** Windows longer than this are quotas (a day's allowance): they stop a run, they do not set its pace. */
export const RATE_WINDOW_MAX_MS = 3_600_000;

function unitMs(unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const name = unit.trim().toLowerCase().replace(/s$/, '');
  return UNIT_MS[name];
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Every window the response advertises. Handles the scalar form (`limit: 1500`, `time-unit:
 * minute`) and the pipe form of two windows in one header (`limit: 10000|250000`,
 * `time-unit: minute|day`), plus the spike limit (`10ps`, `600pm`). Unparseable headers are ignored.
 */
export function parseThrottleHeaders(headers: Record<string, string | undefined>): ThrottleWindow[] {
  const windows: ThrottleWindow[] = [];
  for (const family of FAMILIES) {
    const prefix = `x-keap-${family}-`;
    const limits = headers[`${prefix}limit`]?.split('|');
    if (!limits) continue;
    const units = headers[`${prefix}time-unit`]?.split('|') ?? [];
    const intervals = headers[`${prefix}interval`]?.split('|') ?? [];
    const availables = headers[`${prefix}available`]?.split('|') ?? [];
    const useds = headers[`${prefix}used`]?.split('|') ?? [];
    const expiries = headers[`${prefix}expiry-time`]?.split('|') ?? [];
    limits.forEach((limitText, index) => {
      const limit = number(limitText);
      const unit = unitMs(units[index] ?? (units.length === 1 ? units[0] : undefined));
      if (limit === undefined || limit <= 0 || unit === undefined) return;
      const interval = number(intervals[index] ?? (intervals.length === 1 ? intervals[0] : undefined)) ?? 1;
      const window: ThrottleWindow = {
        family: limits.length > 1 ? `${family}#${index}` : family,
        limit,
        windowMs: unit * (interval > 0 ? interval : 1),
      };
      const used = number(useds[index]);
      const available = number(availables[index]) ?? (used !== undefined ? Math.max(0, limit - used) : undefined);
      if (available !== undefined) window.available = Math.max(0, available);
      // Keap sends epoch milliseconds; accept seconds too.
      const expiry = number(expiries[index]);
      if (expiry !== undefined && expiry > 0) window.resetAt = expiry < 1e11 ? expiry * 1000 : expiry;
      windows.push(window);
    });
  }
  const spike = /^\s*(\d+(?:\.\d+)?)\s*(ps|pm)?\s*$/i.exec(headers['x-keap-product-spike-limit'] ?? '');
  if (spike?.[1]) {
    const limit = Number(spike[1]);
    if (limit > 0) {
      windows.push({ family: 'product-spike', limit, windowMs: spike[2]?.toLowerCase() === 'pm' ? 60_000 : 1_000 });
    }
  }
  return windows;
}

/** The limits a pacer starts from, and those it keeps whatever the headers say. */
export interface PacerLimits {
  /** Windows assumed until a response advertises its own (then the advertised ones replace them all). */
  assumed: ThrottleWindow[];
  /** Windows enforced but not announced: kept beside whatever the headers say. */
  kept: ThrottleWindow[];
}

/**
 * A Personal Access Token or Service Account Key: 240 a minute, and Keap's SpikeArrest holds keys
 * to 5 a second while its header announces 10ps (staff report; API-FACTS.md section 3).
 */
export const API_KEY_LIMITS: PacerLimits = {
  assumed: [{ family: 'product-throttle', limit: 240, windowMs: 60_000 }],
  kept: [{ family: 'key-spike-arrest', limit: 5, windowMs: 1_000 }],
};

/** OAuth: 1,500 a minute and the documented default spike rate of 25 a second. */
export const OAUTH_LIMITS: PacerLimits = {
  assumed: [
    { family: 'product-throttle', limit: 1_500, windowMs: 60_000 },
    { family: 'product-spike', limit: 25, windowMs: 1_000 },
  ],
  kept: [],
};

export function limitsForScheme(scheme: 'bearer' | 'api-key' | undefined): PacerLimits {
  return scheme === 'api-key' ? API_KEY_LIMITS : OAUTH_LIMITS;
}

export interface Pace {
  /** Tokens per millisecond. */
  ratePerMs: number;
  /** Most tokens the bucket holds: the largest burst. */
  capacity: number;
}

/**
 * The pace that keeps every window. A bucket of C tokens refilled at rate r lets at most
 * floor(C + r x T) requests into any window of length T, so: a rate of `factor` times the
 * tightest window's, and a burst that leaves one request to spare in each window (arrival
 * jitter) where it can, but never below one request nor above one second's worth.
 */
export function paceFor(windows: readonly ThrottleWindow[], factor: number): Pace {
  const ratePerMs = Math.min(...windows.map((w) => w.limit / w.windowMs)) * factor;
  const headroom = Math.min(...windows.map((w) => w.limit - ratePerMs * w.windowMs - 1));
  return { ratePerMs, capacity: Math.max(1, Math.min(ratePerMs * 1_000, headroom)) };
}

/** Fraction of the advertised rate aimed at: close enough to use it, far enough to absorb jitter. */
const SAFETY = 0.95;
/** After 429s the aim drops (multiplicatively) and recovers slowly with each success. */
const BACKOFF_FACTOR = 0.85;
const MIN_FACTOR = 0.25;
const RECOVERY_STEP = 0.01;
const LOWER_AT_MOST_EVERY_MS = 2_000;
/** Longest the pacer stops everyone for one exhausted window. */
const MAX_PAUSE_MS = 65_000;

interface Waiter {
  resolve(ticket: number): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface Observation {
  /** A window longer than an hour (a daily quota) that has nothing left. */
  quotaExhausted?: ThrottleWindow;
  /** How long the pacer now holds every request because a window is used up (0 when it is not). */
  pausedMs: number;
  /** Whether the response carried any throttle headers at all. */
  advertised: boolean;
}

export class Pacer {
  /** Tokens per millisecond. */
  private ratePerMs: number;
  private capacity: number;
  private tokens: number;
  /** The rate windows of the last response that advertised any; until then, the assumed ones. */
  private windows: ThrottleWindow[];
  private refilledAt = 0;
  private pausedUntil = 0;
  private factor = SAFETY;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Requests let through so far; a response's `available` does not yet count the ones sent after it. */
  private granted = 0;
  /** When the aim was last lowered after a 429 (one burst of 429s is one signal, not many). */
  private loweredAt = -Infinity;

  constructor(
    private readonly limits: PacerLimits = OAUTH_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windows = limits.assumed;
    ({ ratePerMs: this.ratePerMs, capacity: this.capacity } = this.pace());
    this.tokens = this.capacity;
  }

  /** The pace now, and the windows it keeps (for tests and diagnostics). */
  current(): Pace & { windows: ThrottleWindow[] } {
    return { ratePerMs: this.ratePerMs, capacity: this.capacity, windows: [...this.windows, ...this.limits.kept] };
  }

  private pace(): Pace {
    return paceFor([...this.windows, ...this.limits.kept], this.factor);
  }

  /**
   * Resolves when the caller may send one request, with a ticket to pass back to observe() with
   * that request's response.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the API client is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.tryTake()) return Promise.resolve(this.granted++);
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** Learn the limits from the response to the request that got `ticket`. */
  observe(headers: Record<string, string | undefined>, status: number, ticket?: number): Observation {
    const now = this.now();
    if (status === 429) {
      // Keap may enforce less than it advertises (SAK spike arrest): aim lower for a while.
      if (now - this.loweredAt > LOWER_AT_MOST_EVERY_MS) {
        this.factor = Math.max(MIN_FACTOR, this.factor * BACKOFF_FACTOR);
        this.loweredAt = now;
      }
    } else if (status < 400) this.factor = Math.min(SAFETY, this.factor + RECOVERY_STEP);
    const sentSince = ticket === undefined ? 0 : Math.max(0, this.granted - ticket - 1);
    const windows = parseThrottleHeaders(headers);
    const observation: Observation = { pausedMs: 0, advertised: windows.length > 0 };
    const rateWindows = windows.filter((w) => w.windowMs <= RATE_WINDOW_MAX_MS);
    if (rateWindows.length > 0) this.windows = rateWindows;
    this.refill(now);
    ({ ratePerMs: this.ratePerMs, capacity: this.capacity } = this.pace());
    this.tokens = Math.min(this.tokens, this.capacity);
    for (const w of rateWindows) {
      if (w.available !== undefined) this.tokens = Math.max(0, Math.min(this.tokens, w.available - sentSince));
    }
    const exhausted = rateWindows.filter((w) => w.available === 0);
    if (exhausted.length > 0) {
      // The server says the window is spent: hold everyone until it has turned over.
      const wait = Math.min(MAX_PAUSE_MS, Math.max(...exhausted.map((w) => w.windowMs)));
      this.pauseUntil(now + wait);
      observation.pausedMs = wait;
    }
    const quota = windows.find((w) => w.windowMs > RATE_WINDOW_MAX_MS && w.available === 0);
    if (quota) observation.quotaExhausted = quota;
    this.reschedule();
    return observation;
  }

  /** Hold every request for `ms` (a 429 without usable headers). */
  pause(ms: number): void {
    this.pauseUntil(this.now() + ms);
    this.reschedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.reject(new Error('the API client is closed'));
    }
  }

  private pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private refill(now: number): void {
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.ratePerMs);
    }
    this.refilledAt = Math.max(this.refilledAt, now);
  }

  private tryTake(): boolean {
    const now = this.now();
    if (now < this.pausedUntil) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.tryTake()) {
      const waiter = this.waiters.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.granted++);
    }
    this.schedule();
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiters.length > 0) this.pump();
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0 || this.closed) return;
    const now = this.now();
    let wait = 0;
    if (now < this.pausedUntil) wait = this.pausedUntil - now;
    else {
      this.refill(now);
      if (this.tokens < 1) wait = (1 - this.tokens) / this.ratePerMs;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(1, Math.ceil(wait)),
    );
  }
}
