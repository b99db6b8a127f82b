/** A stream the ticker keeps alive: it writes `:keepalive` when nothing went out for a while. */
export interface KeptAlive {
  keepaliveTick(now: number): void;
}

/** Looks at the streams this many times per keepalive period. */
const LOOKS_PER_PERIOD = 5;

/**
 * One timer for every open event stream of an app, instead of one `setInterval` each:
 * `LOOKS_PER_PERIOD` times per period it asks each stream, which writes a `:keepalive`
 * comment when it has written nothing for a period (so at most one period plus a look
 * passes without a write). The timer runs only while a stream is open.
 */
export class KeepaliveTicker {
  private readonly streams = new Set<KeptAlive>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly periodMs: number) {}

  add(stream: KeptAlive): void {
    this.streams.add(stream);
    if (this.timer) return;
    this.timer = setInterval(
      () => {
        const now = performance.now();
        for (const s of this.streams) s.keepaliveTick(now);
      },
      Math.max(1, Math.floor(this.periodMs / LOOKS_PER_PERIOD)),
    );
    this.timer.unref();
  }

  delete(stream: KeptAlive): void {
    this.streams.delete(stream);
    if (this.streams.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
