import type { BuildEvent, StoredBuildEvent } from './build-event.js';
import type { LiveBatch } from './live-batch.js';
import { compareStreamIds } from './stream-id.js';

/** One page of a build's history (see RedisEventBus). */
export interface HistoryPage {
  /** Id of the newest event trimmed from the history, if any was. */
  trimmed?: string;
  events: StoredBuildEvent[];
  /** The page stopped at its size: more may follow. */
  more: boolean;
}

/** Stands for the events trimmed away, up to and including `id`, in a replay. */
function droppedNotice(id: string): StoredBuildEvent {
  const event: BuildEvent = {
    phase: 'building',
    message:
      '[… earlier log lines of this build were dropped: the log kept for late joiners is limited by BuildQueue.event_history_max_bytes and event_history]\n',
  };
  return { id, event, json: JSON.stringify(event) };
}

/**
 * One follower of a build: replays the history after its last id page by page (awaiting
 * `whenReady` between pages), then takes live events. Live events announced during a
 * replay are kept only while a page is being read: those announced while the follower
 * was not ready are read from the history by the next page. Every event is delivered
 * once, in order (ids only grow). `catchUp` replays again from the last id delivered,
 * for events the live feed missed (a subscription lost while Redis restarted).
 */
export class HistoryFollower {
  private live = false;
  private capturing = true;
  private buffered: StoredBuildEvent[] = [];
  private replaying: Promise<void> | undefined;

  constructor(
    private last: string | undefined,
    private readonly readPage: (afterId: string | undefined) => Promise<HistoryPage>,
    private readonly onEvent: (e: StoredBuildEvent) => void,
    private readonly whenReady?: () => Promise<void>,
    /** Takes a live batch wholly after the last id whole (one shared write for every client). */
    private readonly onBatch?: (batch: LiveBatch) => void,
  ) {}

  /** Live events from the subscription that arrived together. */
  readonly takeBatch = (b: LiveBatch): void => {
    if (this.live) this.deliverBatch(b);
    else if (this.capturing) this.buffered.push(...b.events);
  };

  /** Replays the history after the last id, then goes live (one replay at a time). */
  replay(): Promise<void> {
    this.replaying ??= this.replayNow().finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayNow(): Promise<void> {
    this.live = false;
    this.capturing = true;
    try {
      for (let more = true, first = true; more; first = false) {
        if (!first && this.whenReady) {
          this.capturing = false;
          await this.whenReady();
          this.capturing = true;
        }
        this.buffered = []; // all announced so far is in the page read next
        const page = await this.readPage(this.last);
        if (page.trimmed && (!this.last || compareStreamIds(page.trimmed, this.last) > 0))
          this.deliver(droppedNotice(page.trimmed));
        for (const e of page.events) this.deliver(e);
        more = page.more;
      }
    } finally {
      // Even after a failed read: live events flow again, and the next catch-up fills the gap.
      this.live = true;
      for (const e of this.buffered.splice(0)) this.deliver(e);
    }
  }

  /** A batch wholly after the last id goes out whole; one that overlaps, event by event. */
  private deliverBatch(b: LiveBatch): void {
    if (!this.onBatch || (this.last && compareStreamIds(b.firstId, this.last) <= 0)) {
      for (const e of b.events) this.deliver(e);
      return;
    }
    this.last = b.lastId;
    this.onBatch(b);
  }

  private deliver(e: StoredBuildEvent): void {
    if (this.last && compareStreamIds(e.id, this.last) <= 0) return;
    this.last = e.id;
    this.onEvent(e);
  }
}
