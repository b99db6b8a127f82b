import { buildEventSchema, type BuildEvent, type StoredBuildEvent } from './build-event.js';
import { eventJsonWithin } from './cap-event-size.js';
import type { EventBus, EventPosition, FollowOptions, Following } from './event-bus.js';
import { HistoryFollower, type HistoryPage } from './history-follower.js';
import { LiveBatch } from './live-batch.js';
import { compareStreamIds } from './stream-id.js';

/** JSON bytes of history read per step of a replay (as RedisEventBus). */
const PAGE_BYTES = 64 * 1024;

export interface FakeEventBusOptions {
  /** Events kept per build. */
  maxHistory: number;
  /** Bytes of event JSON kept per build (default: no cap). */
  maxHistoryBytes?: number;
  /** Largest event, in bytes of JSON (default: no limit). */
  maxEventBytes?: number;
}

interface History {
  events: StoredBuildEvent[];
  /** The last id ever added: ids only grow, whatever was trimmed. */
  lastId?: string;
  bytes: number;
  /** The id of the newest event trimmed away. */
  trimmed?: string;
  expiry?: NodeJS.Timeout;
}

interface Feed {
  followers: Set<HistoryFollower>;
  batch?: LiveBatch;
}

const bytesOf = (json: string) => Buffer.byteLength(json);

/**
 * An EventBus in one process's memory, for tests (DI only: nothing in the product
 * creates it). It keeps RedisEventBus's promises — ids `<ms>-<seq>` that only grow, a
 * positioned event published once, the same caps and trimming (oldest dropped down to
 * 9/10 of both caps, the newest kept) with the dropped notice, replay then live with no
 * gap or duplicate, live events handed out in batches — checked by the one contract
 * suite run against both (test/contracts/event-bus.contract.ts).
 */
export class FakeEventBus implements EventBus {
  private readonly histories = new Map<string, History>();
  private readonly feeds = new Map<string, Feed>();

  constructor(private readonly opts: FakeEventBusOptions) {}

  async publish(
    buildName: string,
    event: BuildEvent,
    position?: EventPosition,
  ): Promise<string | undefined> {
    const max = this.opts.maxEventBytes;
    const json = max ? eventJsonWithin(event, max) : JSON.stringify(event);
    const h = this.historyOf(buildName);
    const id = position
      ? `${Math.trunc(position.epochMs)}-${Math.trunc(position.seq)}`
      : this.nextId(h.lastId);
    if (h.lastId && compareStreamIds(id, h.lastId) <= 0) return undefined;
    const stored = decode(id, json);
    h.lastId = id;
    if (!stored) return id;
    h.events.push(stored);
    h.bytes += bytesOf(json);
    this.trim(h);
    this.announce(buildName, stored);
    return id;
  }

  async history(buildName: string, afterId?: string): Promise<StoredBuildEvent[]> {
    const events = this.histories.get(buildName)?.events ?? [];
    return afterId ? events.filter((e) => compareStreamIds(e.id, afterId) > 0) : [...events];
  }

  async follow(
    buildName: string,
    afterId: string | undefined,
    onEvent: (e: StoredBuildEvent) => void,
    opts: FollowOptions = {},
  ): Promise<Following> {
    const follower = new HistoryFollower(
      afterId,
      async (after) => this.page(buildName, after),
      onEvent,
      opts.whenReady,
      opts.onBatch,
    );
    let feed = this.feeds.get(buildName);
    if (!feed) this.feeds.set(buildName, (feed = { followers: new Set() }));
    feed.followers.add(follower);
    const unsubscribe = () => this.leave(buildName, follower);
    try {
      await follower.replay();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return Object.assign(unsubscribe, { catchUp: () => follower.replay() });
  }

  async lastEvent(buildName: string): Promise<StoredBuildEvent | undefined> {
    return this.histories.get(buildName)?.events.at(-1);
  }

  async reset(buildName: string): Promise<void> {
    clearTimeout(this.histories.get(buildName)?.expiry);
    this.histories.delete(buildName);
  }

  async expire(buildName: string, seconds: number): Promise<void> {
    const h = this.histories.get(buildName);
    if (!h) return;
    clearTimeout(h.expiry);
    h.expiry = setTimeout(() => this.histories.delete(buildName), seconds * 1000);
    h.expiry.unref();
  }

  async close(): Promise<void> {
    for (const h of this.histories.values()) clearTimeout(h.expiry);
    this.feeds.clear();
  }

  /** Number of builds with followers in this process (RedisEventBus: subscriptions). */
  get subscriptionCount(): number {
    return this.feeds.size;
  }

  private historyOf(buildName: string): History {
    let h = this.histories.get(buildName);
    if (!h) this.histories.set(buildName, (h = { events: [], bytes: 0 }));
    return h;
  }

  /** The next automatic id: this millisecond, or one more than the last id's sequence. */
  private nextId(lastId: string | undefined): string {
    const now = Date.now();
    if (!lastId) return `${now}-0`;
    const [ms, seq] = lastId.split('-').map(Number) as [number, number];
    return now > ms ? `${now}-0` : `${ms}-${seq + 1}`;
  }

  private trim(h: History): void {
    const maxCount = this.opts.maxHistory;
    const maxBytes = this.opts.maxHistoryBytes ?? Number.MAX_SAFE_INTEGER;
    if (h.events.length <= maxCount && h.bytes <= maxBytes) return;
    const keepCount = Math.floor(maxCount * 0.9);
    const keepBytes = Math.floor(maxBytes * 0.9);
    while (h.events.length > 1 && (h.events.length > keepCount || h.bytes > keepBytes)) {
      const gone = h.events.shift()!;
      h.bytes -= bytesOf(gone.json ?? '');
      h.trimmed = gone.id;
    }
  }

  private page(buildName: string, afterId: string | undefined): HistoryPage {
    const h = this.histories.get(buildName);
    const events: StoredBuildEvent[] = [];
    let bytes = 0;
    let more = false;
    for (const e of h?.events ?? []) {
      if (afterId && compareStreamIds(e.id, afterId) <= 0) continue;
      events.push(e);
      bytes += bytesOf(e.json ?? '');
      if (bytes >= PAGE_BYTES) {
        more = true;
        break;
      }
    }
    return { trimmed: h?.trimmed, events, more };
  }

  /** Live events published in one turn of the event loop reach the followers as one batch. */
  private announce(buildName: string, e: StoredBuildEvent): void {
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    if (!feed.batch) {
      const batch = (feed.batch = new LiveBatch());
      setImmediate(() => {
        feed.batch = undefined;
        for (const f of feed.followers) f.takeBatch(batch);
      });
    }
    feed.batch.events.push(e);
  }

  private leave(buildName: string, follower: HistoryFollower): void {
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    feed.followers.delete(follower);
    if (feed.followers.size === 0) this.feeds.delete(buildName);
  }
}

function decode(id: string, json: string): StoredBuildEvent | undefined {
  const parsed = buildEventSchema.safeParse(JSON.parse(json));
  return parsed.success ? { id, event: parsed.data, json } : undefined;
}
