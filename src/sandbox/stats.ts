/** The counters behind `GET /_sandbox/stats`, so tests can check what a client really did. */

export interface WindowStats {
  limit: number;
  /** `second`, `minute` or `day`. */
  unit: string;
  /** Requests this window turned away with a 429. */
  refused: number;
  /**
   * Most requests that arrived within one window (refused ones included): at or under `limit`
   * means the client kept to the window by itself.
   */
  peak: number;
}

export interface Stats {
  requests: Record<string, number>;
  throttled: number;
  faults: Record<string, number>;
  tokensIssued: number;
  refreshes: number;
  /** One entry per enforced window with `--limits` (`product-spike`, `product-throttle`, ...). */
  windows: Record<string, WindowStats>;
}

/** Holds the current counters; `reset()` starts new ones (the modules always write to `current`). */
export class StatsBook {
  current: Stats = StatsBook.empty();

  reset(): void {
    this.current = StatsBook.empty();
  }

  private static empty(): Stats {
    return { requests: {}, throttled: 0, faults: {}, tokensIssued: 0, refreshes: 0, windows: {} };
  }
}
