/**
 * Rate limits as Keap enforces them (API-FACTS.md section 3): `--throttle N` (one per-second token
 * bucket) or `--limits pat|oauth`, several windows at once: a per-second spike arrest that sends
 * no metrics, the per-minute product throttle, the tenant's minute and day windows and the daily
 * product quota. Refused requests use up nothing; every window counts what arrived, for the stats.
 */
import { UsageError } from '../errors.js';
import type { StatsBook, WindowStats } from './stats.js';

export type LimitsPreset = 'pat' | 'oauth';

export interface LimitsSpec {
  preset: LimitsPreset;
  /** Requests a second the spike arrest lets through. */
  spike: number;
  /** What `x-keap-product-spike-limit` announces, per second (Keap announces 10ps and holds keys to 5). */
  spikeAnnounced: number;
  /** Product throttle, requests a minute. */
  throttle: number;
  tenantMinute: number;
  tenantDay: number;
  /** Daily product quota (resets at 00:00 UTC). */
  quota: number;
}

const PRESETS: Record<LimitsPreset, LimitsSpec> = {
  // A Personal Access Token or Service Account Key: 240 a minute and 30,000 a day as documented;
  // spike arrest at 5/s as Keap staff report for keys, while the header says 10ps as seen on the wire.
  pat: { preset: 'pat', spike: 5, spikeAnnounced: 10, throttle: 240, tenantMinute: 10_000, tenantDay: 250_000, quota: 30_000 },
  // OAuth: 1,500 a minute, 150,000 a day, and the documented default spike rate of 25/s.
  oauth: { preset: 'oauth', spike: 25, spikeAnnounced: 25, throttle: 1_500, tenantMinute: 10_000, tenantDay: 250_000, quota: 150_000 },
};

const OVERRIDES: Record<string, Array<keyof LimitsSpec>> = {
  spike: ['spike', 'spikeAnnounced'],
  throttle: ['throttle'],
  tenant: ['tenantMinute'],
  'tenant-day': ['tenantDay'],
  quota: ['quota'],
};

/** Parses `pat`, `oauth`, or a preset with overrides: `pat,quota=100,spike=2`. */
export function parseLimits(spec: string): LimitsSpec {
  const [name = '', ...parts] = spec.split(',').map((part) => part.trim());
  const preset = PRESETS[name as LimitsPreset];
  if (!Object.hasOwn(PRESETS, name) || !preset) {
    throw new UsageError(`--limits: "${name}" is not a preset; presets are pat, oauth`, {
      hint: 'e.g. --limits pat, or --limits pat,quota=100 to change one window',
    });
  }
  const limits: LimitsSpec = { ...preset };
  for (const part of parts) {
    const [key = '', value, ...rest] = part.split('=');
    const fields = OVERRIDES[key];
    if (!Object.hasOwn(OVERRIDES, key) || !fields || value === undefined || rest.length > 0) {
      throw new UsageError(`--limits: "${part}" should be KEY=N with KEY one of ${Object.keys(OVERRIDES).join(', ')}`);
    }
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`--limits: "${part}" needs a whole number of 1 or more`);
    for (const field of fields) (limits as unknown as Record<string, number>)[field] = n;
  }
  return limits;
}

const SECOND = 1_000;
const MINUTE = 60_000;

/** Requests arriving and admitted within one window; rolling, or per UTC day. */
class Window {
  private readonly admitted = new TimeLog();
  private readonly arrived = new TimeLog();
  private day = '';
  private dayAdmitted = 0;
  private dayArrived = 0;

  constructor(
    readonly name: string,
    readonly limit: number,
    /** A rolling window's length, or 'day' for a window that resets at 00:00 UTC. */
    readonly span: number | 'day',
    private readonly book: StatsBook,
  ) {}

  get unit(): string {
    return this.span === 'day' ? 'day' : this.span === SECOND ? 'second' : 'minute';
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

  arrive(now: number): void {
    let count: number;
    if (this.span === 'day') {
      this.turnDay(now);
      count = ++this.dayArrived;
    } else {
      this.arrived.push(now);
      count = this.arrived.countAfter(now - this.span);
    }
    const stats = this.stats();
    stats.peak = Math.max(stats.peak, count);
  }

  admit(now: number): void {
    if (this.span === 'day') {
      this.turnDay(now);
      this.dayAdmitted++;
    } else {
      this.admitted.push(now);
    }
  }

  refuse(): void {
    this.stats().refused++;
  }

  private turnDay(now: number): void {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.dayAdmitted = 0;
      this.dayArrived = 0;
    }
  }

  private stats(): WindowStats {
    const windows = this.book.current.windows;
    const stats = windows[this.name] ?? { limit: this.limit, unit: this.unit, refused: 0, peak: 0 };
    windows[this.name] = stats;
    return stats;
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

/** Without `--limits`: the quota and throttle headers the sandbox always sent. */
const DAY_QUOTA = 150_000;
const UNLIMITED = 1_000_000;

export interface LimiterOptions {
  limits?: string;
  /** Requests a second (`--throttle`); 0 or undefined for none. */
  throttle?: number;
  tenant: string;
  now: () => number;
  book: StatsBook;
}

/** Decides whether an API request may go through, and the `x-keap-*` headers of every API answer. */
export class Limiter {
  private readonly spec: LimitsSpec | undefined;
  private readonly windows: Window[] = [];
  private readonly throttle: number;
  private bucket: number;
  private bucketAt: number;
  private readonly minute: Window;
  private readonly day: Window;

  constructor(private readonly options: LimiterOptions) {
    const { book, now } = options;
    this.throttle = options.throttle && options.throttle > 0 ? options.throttle : 0;
    this.spec = options.limits === undefined ? undefined : parseLimits(options.limits);
    if (this.spec && this.throttle) {
      throw new UsageError('--throttle and --limits both set the rate limits: use one', {
        hint: "--throttle N is one per-second window; --limits pat|oauth is Keap's several windows",
      });
    }
    this.bucket = this.throttle;
    this.bucketAt = now();
    if (this.spec) {
      const s = this.spec;
      this.windows = [
        new Window('product-spike', s.spike, SECOND, book),
        new Window('product-throttle', s.throttle, MINUTE, book),
        new Window('tenant-throttle-minute', s.tenantMinute, MINUTE, book),
        new Window('tenant-throttle-day', s.tenantDay, 'day', book),
        new Window('product-quota', s.quota, 'day', book),
      ];
    }
    // Only counted (for the headers), never enforced, when there are no presets.
    this.minute = new Window('minute', UNLIMITED, MINUTE, book);
    this.day = new Window('day', DAY_QUOTA, 'day', book);
  }

  /** Takes one request from every window; false (and a 429 to send) when one has no room. */
  take(): boolean {
    const now = this.options.now();
    if (this.spec) return this.takeWindows(now);
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

  private takeWindows(now: number): boolean {
    for (const window of this.windows) window.arrive(now);
    const full = this.windows.find((window) => window.available(now) < 1);
    if (full) {
      full.refuse();
      return false;
    }
    for (const window of this.windows) window.admit(now);
    return true;
  }

  headers(): Record<string, string> {
    const now = this.options.now();
    const [spike, product, tenantMinute, tenantDay, quota] = this.windows;
    if (!this.spec || !spike || !product || !tenantMinute || !tenantDay || !quota) return this.plainHeaders(now);
    const headers: Record<string, string> = {
      'x-keap-product-spike-limit': `${this.spec.spikeAnnounced}ps`,
      ...family('product-quota', [quota], now),
      'x-keap-product-quota-expiry-time': String(nextMidnight(now)),
      ...family('product-throttle', [product], now),
      'x-keap-tenant-id': this.options.tenant,
      ...family('tenant-throttle', [tenantMinute, tenantDay], now),
    };
    return headers;
  }

  private plainHeaders(now: number): Record<string, string> {
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
