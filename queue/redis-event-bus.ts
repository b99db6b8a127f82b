import type { Redis } from 'ioredis';
import { buildEventSchema, type BuildEvent, type StoredBuildEvent } from './build-event.js';
import { eventJsonWithin } from './cap-event-size.js';
import type { EventBus, EventPosition, FollowOptions, Following } from './event-bus.js';
import { historyPageScript, publishScript } from './event-history-scripts.js';
import { HistoryFollower, type HistoryPage } from './history-follower.js';
import type { KeyNames } from './keys.js';
import { LiveBatch } from './live-batch.js';

/** JSON bytes of history read per step of a replay (one page in flight per follower). */
const PAGE_BYTES = 64 * 1024;

type Row = [string, string[]];

interface Feed {
  followers: Set<HistoryFollower>;
  ready: Promise<void>;
  /** Events announced and not yet handed out to the followers. */
  batch?: LiveBatch;
  /** When the last batch was handed out (`performance.now()`). */
  handedOutAt: number;
}

function decode(id: string, json: string): StoredBuildEvent | undefined {
  try {
    const parsed = buildEventSchema.safeParse(JSON.parse(json));
    return parsed.success ? { id, event: parsed.data, json } : undefined;
  } catch {
    return undefined;
  }
}

function decodeRows(rows: Row[]): StoredBuildEvent[] {
  const out: StoredBuildEvent[] = [];
  for (const [id, fields] of rows) {
    const e = decode(id, fields[1] ?? '');
    if (e) out.push(e);
  }
  return out;
}

export interface RedisEventBusOptions {
  /** Connection for commands (XADD, XRANGE, …). */
  redis: Redis;
  /** Connection used only for SUBSCRIBE; created lazily by the caller's factory. */
  subscriber?: () => Redis;
  keys: KeyNames;
  /** Events kept per build (`BuildQueue.event_history`). */
  maxHistory: number;
  /** Bytes of event JSON kept per build (`BuildQueue.event_history_max_bytes`; default: no cap). */
  maxHistoryBytes?: number;
  /** Largest event, in bytes of JSON (`BuildQueue.event_max_bytes`; default: no limit). */
  maxEventBytes?: number;
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
 * Milliseconds of batching per follower: about what handing a batch to one follower
 * costs (one write), so the time spent on fan-out stays bounded however many follow.
 */
export const LIVE_BATCH_MS_PER_FOLLOWER = 0.015;

/** Default `liveBatchMs`: a burst of log lines reaches 1,000 followers in a few writes each. */
export const LIVE_BATCH_MS = 15;

/** The batching window of a build with `followers` followers (pure). */
export function liveBatchWindowMs(
  followers: number,
  most = LIVE_BATCH_MS,
  perFollower = LIVE_BATCH_MS_PER_FOLLOWER,
): number {
  return Math.min(most, followers * perFollower);
}

/** The history limits of `BuildQueue.*` as RedisEventBus options (api and runner alike). */
export function eventBusLimits(q: {
  event_history: number;
  event_history_max_bytes: number;
  event_max_bytes: number;
}): Pick<RedisEventBusOptions, 'maxHistory' | 'maxHistoryBytes' | 'maxEventBytes'> {
  return {
    maxHistory: q.event_history,
    maxHistoryBytes: q.event_history_max_bytes,
    maxEventBytes: q.event_max_bytes,
  };
}

/**
 * Redis implementation of the EventBus: a capped stream per build for history plus one
 * pub/sub channel per build. An api process holds ONE subscription per build, however
 * many clients follow it, and fans events out in memory.
 */
export class RedisEventBus implements EventBus {
  private sub: Redis | undefined;
  private readonly feeds = new Map<string, Feed>();

  constructor(private readonly opts: RedisEventBusOptions) {}

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
    return decodeRows(rows);
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
    const feed = this.feedFor(buildName);
    feed.followers.add(follower);
    const unsubscribe = () => this.leave(buildName, follower);
    try {
      await feed.ready;
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
    return row ? decode(row[0], row[1][1] ?? '') : undefined;
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
    this.feeds.clear();
    if (this.sub) {
      this.sub.disconnect();
      this.sub = undefined;
    }
  }

  /** Number of builds this process holds a subscription for (for metrics and tests). */
  get subscriptionCount(): number {
    return this.feeds.size;
  }

  private async page(buildName: string, afterId: string | undefined): Promise<HistoryPage> {
    const k = this.opts.keys;
    const [trimmed, full, rows] = (await historyPageScript.run(
      this.opts.redis,
      [k.buildEvents(buildName), k.buildEventsMeta(buildName)],
      [afterId ? `(${afterId}` : '-', PAGE_BYTES],
    )) as [string | null, number, Row[]];
    return { trimmed: trimmed ?? undefined, events: decodeRows(rows), more: full === 1 };
  }

  private subscriber(): Redis {
    if (!this.sub) {
      if (!this.opts.subscriber) throw new Error('RedisEventBus: no subscriber connection factory');
      const sub = this.opts.subscriber();
      sub.on('message', (channel: string, payload: string) => this.dispatch(channel, payload));
      let connected = false;
      sub.on('ready', () => {
        if (connected) void this.resubscribed(sub);
        connected = true;
      });
      this.sub = sub;
    }
    return this.sub;
  }

  private feedFor(buildName: string): Feed {
    let feed = this.feeds.get(buildName);
    if (!feed) {
      // SUBSCRIBE only once the connection is ready: one sent while it still connects
      // puts it in subscriber mode before ioredis' ready check (INFO), which then fails
      // every follow started meanwhile (the first requests of a fresh api, all at once).
      const sub = this.subscriber();
      const connected =
        sub.status === 'ready'
          ? Promise.resolve()
          : new Promise<void>((resolve) => sub.once('ready', () => resolve()));
      const ready = connected
        .then(() => sub.subscribe(this.opts.keys.buildChannel(buildName)))
        .then(() => undefined);
      feed = { followers: new Set(), ready, handedOutAt: -Infinity };
      ready.catch(() => this.feeds.delete(buildName));
      this.feeds.set(buildName, feed);
    }
    return feed;
  }

  /**
   * The subscriber reconnected (Redis restarted or the connection dropped): events
   * published meanwhile never reached it. Subscribe again (confirmed, whatever ioredis
   * re-sent by itself), then let every follower read what it missed from the history.
   */
  private async resubscribed(sub: Redis): Promise<void> {
    for (const [buildName, feed] of this.feeds) {
      try {
        await sub.subscribe(this.opts.keys.buildChannel(buildName));
        await Promise.all([...feed.followers].map((f) => f.replay()));
      } catch {
        // Redis went away again: the next reconnection (or the follower's own check) retries.
      }
    }
  }

  private leave(buildName: string, follower: HistoryFollower): void {
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    feed.followers.delete(follower);
    if (feed.followers.size === 0) {
      this.feeds.delete(buildName);
      this.sub?.unsubscribe(this.opts.keys.buildChannel(buildName)).catch(() => undefined);
    }
  }

  /**
   * Collects live events into one batch per build, handed to the followers once the
   * read of the subscription that brought them is done (ioredis emits its messages one
   * after the other, synchronously), or, when the last batch went out less than its
   * window ago (LIVE_BATCH_MS_PER_FOLLOWER per follower, at most `liveBatchMs`), once
   * the window has passed: one call (and one write) per follower per batch, not per event.
   */
  private dispatch(channel: string, payload: string): void {
    const prefixLen = this.opts.keys.buildChannel('').length;
    // channel = <prefix>:build:<name>:live
    const buildName = channel.slice(prefixLen - ':live'.length, -':live'.length);
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    const space = payload.indexOf(' ');
    const e = decode(payload.slice(0, space), payload.slice(space + 1));
    if (!e) return;
    if (!feed.batch) {
      feed.batch = new LiveBatch();
      const window = liveBatchWindowMs(
        feed.followers.size,
        this.opts.liveBatchMs,
        this.opts.liveBatchMsPerFollower,
      );
      const wait = feed.handedOutAt + window - performance.now();
      if (wait > 0) setTimeout(() => this.handOut(feed), wait);
      else process.nextTick(() => this.handOut(feed));
    }
    feed.batch.events.push(e);
  }

  private handOut(feed: Feed): void {
    const batch = feed.batch;
    feed.batch = undefined;
    if (!batch) return;
    feed.handedOutAt = performance.now();
    // One batch (its events decoded once) for every follower; a listener that leaves
    // during the loop is simply not visited again.
    for (const f of feed.followers) f.takeBatch(batch);
  }
}
