import type { BuildEvent, StoredBuildEvent } from './build-event.js';
import type { LiveBatch } from './live-batch.js';

export type Unsubscribe = () => void;

/** What `follow` returns: call it to stop following. */
export interface Following extends Unsubscribe {
  /**
   * Reads the history after the last event delivered and delivers what the live feed
   * missed (after a lost subscription, or a silence that looks wrong); resolves when done.
   */
  catchUp(): Promise<void>;
}

/** Where an event sits in its build's log: `epochMs` fixed per build run, `seq` increasing. */
export interface EventPosition {
  epochMs: number;
  seq: number;
}

export interface FollowOptions {
  /**
   * Awaited between pages of the history replay: resolves when the follower can take
   * more (its client drained what it got), so a long history reaches a slow client at
   * the client's pace instead of piling up in memory; rejecting ends the follow.
   */
  whenReady?: () => Promise<void>;
  /**
   * Takes live events a batch at a time (those that arrived together), in order, instead
   * of one `onEvent` call each; the replay, and a batch that overlaps what the follower
   * already has, still come through `onEvent`. The batch is shared with every follower.
   */
  onBatch?: (batch: LiveBatch) => void;
}

/**
 * Carries build events from runners to api processes: every event is kept in the
 * build's history (capped by count and bytes) and announced live. `follow` replays the
 * history after `afterId` and then delivers live events, in order, with no gap and no
 * duplicate; when events after `afterId` were trimmed away, it first delivers a notice
 * saying so, whose id is that of the newest event dropped. When the live feed was cut
 * (Redis restarted), every follower catches up from the history once it is back.
 */
export interface EventBus {
  /**
   * Appends and announces an event; returns its id. With `position` (a build-wide
   * monotonic number, e.g. the byte offset of a log line) the id is derived from it, so
   * publishing the same position twice (a runner re-attaching after a crash) is a no-op
   * and returns undefined: each log line reaches clients once.
   */
  publish(
    buildName: string,
    event: BuildEvent,
    position?: EventPosition,
  ): Promise<string | undefined>;
  history(buildName: string, afterId?: string): Promise<StoredBuildEvent[]>;
  follow(
    buildName: string,
    afterId: string | undefined,
    onEvent: (e: StoredBuildEvent) => void,
    opts?: FollowOptions,
  ): Promise<Following>;
  /** The newest event of a build's history, if any. */
  lastEvent(buildName: string): Promise<StoredBuildEvent | undefined>;
  /** Forget a build's history (before a failed build is tried again). */
  reset(buildName: string): Promise<void>;
  /** Keep a finished build's history this many more seconds, then drop it. */
  expire(buildName: string, seconds: number): Promise<void>;
  close(): Promise<void>;
}
