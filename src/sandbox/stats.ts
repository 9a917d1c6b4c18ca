/** The counters behind `GET /_sandbox/stats`, so tests can check what a client really did. */

export interface Stats {
  requests: Record<string, number>;
  throttled: number;
  faults: Record<string, number>;
  tokensIssued: number;
  refreshes: number;
}

/** Holds the current counters; `reset()` starts new ones (the modules always write to `current`). */
export class StatsBook {
  current: Stats = StatsBook.empty();

  reset(): void {
    this.current = StatsBook.empty();
  }

  private static empty(): Stats {
    return { requests: {}, throttled: 0, faults: {}, tokensIssued: 0, refreshes: 0 };
  }
}
