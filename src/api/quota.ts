/**
 * What Keap's `x-keap-*` headers say is left for the day, and the pace they allow (API-FACTS.md
 * section 3). The windows are parsed once, by the pacer's parser (scalar and `a|b` forms); here
 * they are only sorted into the day's quotas and the rate windows.
 */
import { parseThrottleHeaders, RATE_WINDOW_MAX_MS, type ThrottleWindow } from './pacer.js';

/** One daily (or longer) window with a known remainder: the product quota, or the tenant's day window. */
export interface QuotaWindow {
  /** `product-quota`, `tenant-throttle#1` (the day half of `10000|250000`), ... */
  family: string;
  limit: number;
  available: number;
  windowMs: number;
  /** When it resets (epoch ms), when Keap said. */
  resetAt?: number;
}

export interface QuotaState {
  /** The window with the smallest remainder: the one a long run meets first. Absent when no header gave one. */
  daily?: QuotaWindow;
  /** Every daily window with a remainder, smallest remainder first. */
  windows: QuotaWindow[];
  /** Requests a minute the tightest advertised rate window allows, when any was advertised. */
  ratePerMinute?: number;
}

/** The quota state the headers of one answer describe (lower-case names, as the client keeps them). */
export function quotaFromHeaders(headers: Record<string, string | undefined> | undefined): QuotaState {
  const windows = headers ? parseThrottleHeaders(headers) : [];
  const daily = windows
    .filter((w): w is ThrottleWindow & { available: number } => w.windowMs > RATE_WINDOW_MAX_MS && w.available !== undefined)
    .map(
      (w): QuotaWindow => ({
        family: w.family,
        limit: w.limit,
        available: w.available,
        windowMs: w.windowMs,
        ...(w.resetAt !== undefined ? { resetAt: w.resetAt } : {}),
      }),
    )
    .sort((a, b) => a.available - b.available);
  const rates = windows.filter((w) => w.windowMs <= RATE_WINDOW_MAX_MS).map((w) => (w.limit * 60_000) / w.windowMs);
  return {
    ...(daily[0] ? { daily: daily[0] } : {}),
    windows: daily,
    ...(rates.length ? { ratePerMinute: Math.min(...rates) } : {}),
  };
}
