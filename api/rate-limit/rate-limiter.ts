/** The state of one client's rate-limit window after counting a request. */
export interface RateLimitState {
  /** The limit counted against (`RateLimiter.limit`, `build_token_limit`, …). */
  limit: number;
  /** Requests left in this window; negative once exceeded (upstream keeps counting). */
  remaining: number;
  /** When the window ends, in seconds since the epoch. */
  reset: number;
  /** Seconds until the window ends (at least 1). */
  retryAfter: number;
}

/**
 * Upstream's `RateLimiter`: a fixed window (not sliding) per key (client IP) of
 * `period_seconds`, allowing `limit` requests. `limit: 0` disables it.
 */
export interface RateLimiter {
  readonly enabled: boolean;
  /** Length of the window in seconds (`RateLimiter.period_seconds`). */
  readonly periodSeconds: number;
  /** Counts one request of `key` and returns the window's state. */
  increment(key: string): Promise<RateLimitState>;
}
