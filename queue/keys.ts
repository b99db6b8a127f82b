/** Redis key names, all under the deployment's prefix. One place, so nothing collides. */
export interface KeyNames {
  prefix: string;
  /** Stream holding one build's events (history, capped). */
  buildEvents(buildName: string): string;
  /** Hash beside a build's history: its size in bytes and the newest id trimmed away. */
  buildEventsMeta(buildName: string): string;
  /** Pub/sub channel on which new events of a build are announced. */
  buildChannel(buildName: string): string;
  /** Hash of runner heartbeats: runner id → JSON {at, active}. */
  runners(): string;
  /**
   * Sorted set of who follows one run of a build (the job added at `requestedAt`):
   * api process id → ms until which it follows (`keep:<why>` members: for good).
   */
  buildFollowers(buildName: string, requestedAt: number): string;
  /** The last good image of one ref of one repository (`refKey`: see last-good-entry.ts). */
  lastGood(refKey: string): string;
  /** Arbitrary namespaced key for api-side state (caches, sessions, rate limits). */
  key(...parts: string[]): string;
}

export function keyNames(prefix: string): KeyNames {
  return {
    prefix,
    buildEvents: (b) => `${prefix}:build:${b}:events`,
    buildEventsMeta: (b) => `${prefix}:build:${b}:events-meta`,
    buildChannel: (b) => `${prefix}:build:${b}:live`,
    runners: () => `${prefix}:runners`,
    buildFollowers: (b, at) => `${prefix}:build:${b}:followers:${Math.trunc(at)}`,
    lastGood: (refKey) => `${prefix}:last-good:${refKey}`,
    key: (...parts) => [prefix, ...parts].join(':'),
  };
}
