/**
 * Rate limits (API-FACTS.md section 3): `--throttle N`, one per-second token bucket, and the
 * quota and throttle headers of every API answer.
 */

const MINUTE = 60_000;

/** Requests arriving and admitted within one window; rolling, or per UTC day. */
class Window {
  private readonly admitted = new TimeLog();
  private day = '';
  private dayAdmitted = 0;

  constructor(
    readonly name: string,
    readonly limit: number,
    /** A rolling window's length, or 'day' for a window that resets at 00:00 UTC. */
    readonly span: number | 'day',
  ) {}

  get unit(): string {
    return this.span === 'day' ? 'day' : 'minute';
  }

  used(now: number): number {
    if (this.span === 'day') {
      this.turnDay(now);
      return this.dayAdmitted;
    }
    return this.admitted.countAfter(now - this.span);
  }

  available(now: number): number {
    return Math.max(0, this.limit - this.used(now));
  }

  admit(now: number): void {
    if (this.span === 'day') {
      this.turnDay(now);
      this.dayAdmitted++;
    } else {
      this.admitted.push(now);
    }
  }

  private turnDay(now: number): void {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.dayAdmitted = 0;
    }
  }
}

/** Ascending timestamps; old ones drop off the front (cheaply: a head index, compacted now and then). */
class TimeLog {
  private times: number[] = [];
  private head = 0;

  push(time: number): void {
    this.times.push(time);
  }

  /** Forgets times at or before `since`; returns how many are left. */
  countAfter(since: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}

const nextMidnight = (now: number): number => {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
};

/** The daily quota announced, and the per-minute throttle announced without `--throttle`. */
const DAY_QUOTA = 150_000;
const UNLIMITED = 1_000_000;

export interface LimiterOptions {
  /** Requests a second (`--throttle`); 0 or undefined for none. */
  throttle?: number;
  tenant: string;
  now: () => number;
}

/** Decides whether an API request may go through, and the `x-keap-*` headers of every API answer. */
export class Limiter {
  private readonly throttle: number;
  private bucket: number;
  private bucketAt: number;
  private readonly minute: Window;
  private readonly day: Window;

  constructor(private readonly options: LimiterOptions) {
    this.throttle = options.throttle && options.throttle > 0 ? options.throttle : 0;
    this.bucket = this.throttle;
    this.bucketAt = options.now();
    // Only counted (for the headers), never enforced.
    this.minute = new Window('minute', UNLIMITED, MINUTE);
    this.day = new Window('day', DAY_QUOTA, 'day');
  }

  /** Takes one request from every window; false (and a 429 to send) when one has no room. */
  take(): boolean {
    const now = this.options.now();
    if (this.throttle) {
      this.bucket = Math.min(this.throttle, this.bucket + ((now - this.bucketAt) / 1000) * this.throttle);
      this.bucketAt = now;
      if (this.bucket < 1) return false;
      this.bucket -= 1;
    }
    this.minute.admit(now);
    this.day.admit(now);
    return true;
  }

  headers(): Record<string, string> {
    const now = this.options.now();
    const headers: Record<string, string> = {
      ...family('product-quota', [this.day], now),
      'x-keap-product-quota-expiry-time': String(nextMidnight(now)),
      'x-keap-product-throttle-interval': '1',
      'x-keap-tenant-id': this.options.tenant,
    };
    if (this.throttle) {
      const available = Math.max(0, Math.floor(this.bucket));
      headers['x-keap-product-throttle-limit'] = String(this.throttle);
      headers['x-keap-product-throttle-time-unit'] = 'second';
      headers['x-keap-product-throttle-available'] = String(available);
      headers['x-keap-product-throttle-used'] = String(this.throttle - available);
    } else {
      Object.assign(headers, family('product-throttle', [this.minute], now));
    }
    return headers;
  }
}

/** `x-keap-FAMILY-*` for one window, or several joined with `|` (`10000|250000`, `minute|day`). */
function family(name: string, windows: Window[], now: number): Record<string, string> {
  const join = (value: (w: Window) => string | number) => windows.map(value).join('|');
  return {
    [`x-keap-${name}-limit`]: join((w) => w.limit),
    [`x-keap-${name}-time-unit`]: join((w) => w.unit),
    [`x-keap-${name}-interval`]: join(() => 1),
    [`x-keap-${name}-available`]: join((w) => w.available(now)),
    [`x-keap-${name}-used`]: join((w) => w.used(now)),
  };
}
