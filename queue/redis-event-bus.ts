import type { Redis } from 'ioredis';
import type { BuildEvent, StoredBuildEvent } from './build-event.js';
import { BuildChannelFanOut } from './build-channel-fan-out.js';
import { eventJsonWithin } from './cap-event-size.js';
import { decodeStoredEvent, decodeStreamRows, type StreamRow } from './decode-stored-event.js';
import type { EventBus, EventPosition, FollowOptions, Following } from './event-bus.js';
import type { EventBusLimits } from './event-bus-limits.js';
import { historyPageScript, publishScript } from './event-history-scripts.js';
import { HistoryFollower, type HistoryPage } from './history-follower.js';
import type { KeyNames } from './keys.js';

/** JSON bytes of history read per step of a replay (one page in flight per follower). */
const PAGE_BYTES = 64 * 1024;

export interface RedisEventBusOptions extends EventBusLimits {
  /** Connection for commands (XADD, XRANGE, …). */
  redis: Redis;
  /** Connection used only for SUBSCRIBE; created lazily by the caller's factory. */
  subscriber?: () => Redis;
  keys: KeyNames;
  /**
   * Most milliseconds between two batches handed to the followers of one build (default
   * LIVE_BATCH_MS). The least time is LIVE_BATCH_MS_PER_FOLLOWER per follower, up to
   * this: a batch costs each follower a write, so the more followers, the more events
   * each batch gathers. An event after a quiet spell goes out at once.
   */
  liveBatchMs?: number;
  /** Milliseconds of batching per follower (default LIVE_BATCH_MS_PER_FOLLOWER). */
  liveBatchMsPerFollower?: number;
}

/**
 * Redis implementation of the EventBus: a capped stream per build for history plus one
 * pub/sub channel per build. An api process holds ONE subscription per build, however
 * many clients follow it, and fans events out in memory (BuildChannelFanOut).
 */
export class RedisEventBus implements EventBus {
  private readonly live: BuildChannelFanOut;

  constructor(private readonly opts: RedisEventBusOptions) {
    this.live = new BuildChannelFanOut(opts);
  }

  async publish(
    buildName: string,
    event: BuildEvent,
    position?: EventPosition,
  ): Promise<string | undefined> {
    const k = this.opts.keys;
    const max = this.opts.maxEventBytes;
    const json = max ? eventJsonWithin(event, max) : JSON.stringify(event);
    const id = await publishScript.run(
      this.opts.redis,
      [k.buildEvents(buildName), k.buildEventsMeta(buildName), k.buildChannel(buildName)],
      [
        this.opts.maxHistory,
        this.opts.maxHistoryBytes ?? Number.MAX_SAFE_INTEGER,
        json,
        position ? `${Math.trunc(position.epochMs)}-${Math.trunc(position.seq)}` : '*',
      ],
    );
    return id === null ? undefined : String(id);
  }

  async history(buildName: string, afterId?: string): Promise<StoredBuildEvent[]> {
    const start = afterId ? `(${afterId}` : '-';
    const rows = await this.opts.redis.xrange(this.opts.keys.buildEvents(buildName), start, '+');
    return decodeStreamRows(rows);
  }

  /**
   * Replays the history after `afterId` page by page (awaiting `whenReady` between
   * pages), then delivers live events (see HistoryFollower). When the subscription
   * reconnects after Redis came back, every follower catches up from the history.
   */
  async follow(
    buildName: string,
    afterId: string | undefined,
    onEvent: (e: StoredBuildEvent) => void,
    opts: FollowOptions = {},
  ): Promise<Following> {
    const follower = new HistoryFollower(
      afterId,
      (after) => this.page(buildName, after),
      onEvent,
      opts.whenReady,
      opts.onBatch,
    );
    const subscribed = this.live.join(buildName, follower);
    const unsubscribe = () => this.live.leave(buildName, follower);
    try {
      await subscribed;
      await follower.replay();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return Object.assign(unsubscribe, { catchUp: () => follower.replay() });
  }

  async lastEvent(buildName: string): Promise<StoredBuildEvent | undefined> {
    const rows = await this.opts.redis.xrevrange(
      this.opts.keys.buildEvents(buildName),
      '+',
      '-',
      'COUNT',
      1,
    );
    const row = rows[0];
    return row ? decodeStoredEvent(row[0], row[1][1] ?? '') : undefined;
  }

  async reset(buildName: string): Promise<void> {
    const k = this.opts.keys;
    await this.opts.redis.del(k.buildEvents(buildName), k.buildEventsMeta(buildName));
  }

  async expire(buildName: string, seconds: number): Promise<void> {
    const k = this.opts.keys;
    await this.opts.redis
      .multi()
      .expire(k.buildEvents(buildName), seconds)
      .expire(k.buildEventsMeta(buildName), seconds)
      .exec();
  }

  async close(): Promise<void> {
    this.live.close();
  }

  /** Number of builds this process holds a subscription for (for metrics and tests). */
  get subscriptionCount(): number {
    return this.live.size;
  }

  private async page(buildName: string, afterId: string | undefined): Promise<HistoryPage> {
    const k = this.opts.keys;
    const [trimmed, full, rows] = (await historyPageScript.run(
      this.opts.redis,
      [k.buildEvents(buildName), k.buildEventsMeta(buildName)],
      [afterId ? `(${afterId}` : '-', PAGE_BYTES],
    )) as [string | null, number, StreamRow[]];
    return { trimmed: trimmed ?? undefined, events: decodeStreamRows(rows), more: full === 1 };
  }
}
