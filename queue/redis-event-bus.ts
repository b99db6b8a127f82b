import type { Redis } from 'ioredis';
import { buildEventSchema, type BuildEvent, type StoredBuildEvent } from './build-event.js';
import type { EventBus, EventPosition, Unsubscribe } from './event-bus.js';
import type { KeyNames } from './keys.js';
import { compareStreamIds } from './stream-id.js';

/** Appends to the history stream and announces on the channel, atomically. */
// ARGV[3] is '*' or an explicit id; an explicit id not above the last one is a repeat:
// nothing is added or announced.
const PUBLISH_SCRIPT = `
local ok, id = pcall(redis.call, 'XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[3], 'e', ARGV[2])
if not ok then
  if ARGV[3] ~= '*' and string.find(tostring(id), 'equal or smaller') then return false end
  return redis.error_reply(tostring(id))
end
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2])
return id`;

type Listener = (e: StoredBuildEvent) => void;

interface Feed {
  listeners: Set<Listener>;
  ready: Promise<void>;
}

function decode(id: string, json: string): StoredBuildEvent | undefined {
  try {
    const parsed = buildEventSchema.safeParse(JSON.parse(json));
    return parsed.success ? { id, event: parsed.data, json } : undefined;
  } catch {
    return undefined;
  }
}

export interface RedisEventBusOptions {
  /** Connection for commands (XADD, XRANGE, …). */
  redis: Redis;
  /** Connection used only for SUBSCRIBE; created lazily by the caller's factory. */
  subscriber?: () => Redis;
  keys: KeyNames;
  maxHistory: number;
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
    const id = await this.opts.redis.eval(
      PUBLISH_SCRIPT,
      2,
      k.buildEvents(buildName),
      k.buildChannel(buildName),
      String(this.opts.maxHistory),
      JSON.stringify(event),
      position ? `${Math.trunc(position.epochMs)}-${Math.trunc(position.seq)}` : '*',
    );
    return id === null ? undefined : String(id);
  }

  async history(buildName: string, afterId?: string): Promise<StoredBuildEvent[]> {
    const start = afterId ? `(${afterId}` : '-';
    const rows = await this.opts.redis.xrange(this.opts.keys.buildEvents(buildName), start, '+');
    const out: StoredBuildEvent[] = [];
    for (const [id, fields] of rows) {
      const e = decode(id, fields[1] ?? '');
      if (e) out.push(e);
    }
    return out;
  }

  async follow(
    buildName: string,
    afterId: string | undefined,
    onEvent: Listener,
  ): Promise<Unsubscribe> {
    let last = afterId;
    let replaying = true;
    const buffered: StoredBuildEvent[] = [];
    const deliver = (e: StoredBuildEvent) => {
      if (last && compareStreamIds(e.id, last) <= 0) return;
      last = e.id;
      onEvent(e);
    };
    const listener: Listener = (e) => (replaying ? buffered.push(e) : deliver(e));
    const feed = this.feedFor(buildName);
    feed.listeners.add(listener);
    const unsubscribe = () => this.leave(buildName, listener);
    try {
      await feed.ready;
      for (const e of await this.history(buildName, afterId)) deliver(e);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    replaying = false;
    for (const e of buffered.splice(0)) deliver(e);
    return unsubscribe;
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
    await this.opts.redis.del(this.opts.keys.buildEvents(buildName));
  }

  async expire(buildName: string, seconds: number): Promise<void> {
    await this.opts.redis.expire(this.opts.keys.buildEvents(buildName), seconds);
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

  private subscriber(): Redis {
    if (!this.sub) {
      if (!this.opts.subscriber) throw new Error('RedisEventBus: no subscriber connection factory');
      const sub = this.opts.subscriber();
      sub.on('message', (channel: string, payload: string) => this.dispatch(channel, payload));
      this.sub = sub;
    }
    return this.sub;
  }

  private feedFor(buildName: string): Feed {
    let feed = this.feeds.get(buildName);
    if (!feed) {
      const ready = this.subscriber()
        .subscribe(this.opts.keys.buildChannel(buildName))
        .then(() => undefined);
      feed = { listeners: new Set(), ready };
      ready.catch(() => this.feeds.delete(buildName));
      this.feeds.set(buildName, feed);
    }
    return feed;
  }

  private leave(buildName: string, listener: Listener): void {
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0) {
      this.feeds.delete(buildName);
      this.sub?.unsubscribe(this.opts.keys.buildChannel(buildName)).catch(() => undefined);
    }
  }

  private dispatch(channel: string, payload: string): void {
    const prefixLen = this.opts.keys.buildChannel('').length;
    // channel = <prefix>:build:<name>:live
    const buildName = channel.slice(prefixLen - ':live'.length, -':live'.length);
    const feed = this.feeds.get(buildName);
    if (!feed) return;
    const space = payload.indexOf(' ');
    const e = decode(payload.slice(0, space), payload.slice(space + 1));
    if (!e) return;
    // One decoded event (and its JSON) for every follower; a listener that leaves
    // during the loop is simply not visited again.
    for (const l of feed.listeners) l(e);
  }
}
