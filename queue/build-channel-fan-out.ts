import type { Redis } from 'ioredis';
import { decodeStoredEvent } from './decode-stored-event.js';
import type { HistoryFollower } from './history-follower.js';
import type { KeyNames } from './keys.js';
import { LiveBatch } from './live-batch.js';
import { liveBatchWindowMs } from './live-batch-window.js';

export interface BuildChannelFanOutOptions {
  /** Connection used only for SUBSCRIBE; made on the first follower. */
  subscriber?: () => Redis;
  keys: KeyNames;
  /** Most milliseconds between two batches of one build (see liveBatchWindowMs). */
  liveBatchMs?: number;
  /** Milliseconds of batching per follower (see liveBatchWindowMs). */
  liveBatchMsPerFollower?: number;
}

interface Feed {
  followers: Set<HistoryFollower>;
  ready: Promise<void>;
  /** Events announced and not yet handed out to the followers. */
  batch?: LiveBatch;
  /** When the last batch was handed out (`performance.now()`). */
  handedOutAt: number;
}

/**
 * The live side of the Redis event bus: ONE pub/sub subscription per build in this
 * process, however many follow it, its events handed to every follower in batches.
 * When the subscriber reconnects (Redis restarted), it subscribes again and every
 * follower catches up from the history.
 */
export class BuildChannelFanOut {
  private sub: Redis | undefined;
  private readonly feeds = new Map<string, Feed>();

  constructor(private readonly opts: BuildChannelFanOutOptions) {}

  /** Adds a follower of `buildName`; resolves once the build's channel is subscribed. */
  join(buildName: string, follower: HistoryFollower): Promise<void> {
    const feed = this.feedFor(buildName);
    feed.followers.add(follower);
    return feed.ready;
  }

  /** Removes a follower; the last one to leave a build ends its subscription. */
  leave(buildName: string, follower: HistoryFollower): void {
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    feed.followers.delete(follower);
    if (feed.followers.size === 0) {
      this.feeds.delete(buildName);
      this.sub?.unsubscribe(this.opts.keys.buildChannel(buildName)).catch(() => undefined);
    }
  }

  /** Number of builds this process holds a subscription for. */
  get size(): number {
    return this.feeds.size;
  }

  close(): void {
    this.feeds.clear();
    if (this.sub) {
      this.sub.disconnect();
      this.sub = undefined;
    }
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
    const e = decodeStoredEvent(payload.slice(0, space), payload.slice(space + 1));
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
