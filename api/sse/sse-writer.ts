import type { Request, Response } from 'express';
import type { BuildEvent, LiveBatch } from '../../queue/index.js';
import type { KeepaliveTicker, KeptAlive } from './keepalive-ticker.js';
import { frameOf, framesOf, joined, type Chunk } from './sse-frame.js';

/** Reason of every closed stream's signal (one object: no stack trace per stream). */
const STREAM_CLOSED = Object.freeze({ name: 'StreamClosed', message: 'the event stream closed' });

/** `whenWritable()` of a stream that closed (or was dropped) before the client caught up. */
export class StreamClosedError extends Error {
  override readonly name = 'StreamClosedError';
  constructor() {
    super('the event stream closed');
  }
}

/**
 * Least time between the last write before the terminal event and the terminal event's
 * own write (once the earlier frames left for the kernel), so that a client reading as
 * data arrives gets the terminal event in a network read of its own (see `end`).
 */
export const TERMINAL_GAP_MS = 25;

export interface EventStreamOptions {
  /** Milliseconds between `:keepalive` comments (upstream: 25 s). */
  keepaliveMs: number;
  /** The app's shared keepalive timer (else the stream has one of its own). */
  ticker?: KeepaliveTicker;
  /** Bytes held for a client (frames not yet written + the response's buffer); past it, dropped. */
  maxBufferedBytes: number;
  /** Milliseconds a write may stay undrained (the client not reading); past it, dropped. 0 = no limit. */
  stallTimeoutMs: number;
  /** Told when a client is dropped for not reading (it may resume with Last-Event-ID). */
  onDrop?: (reason: string, bufferedBytes: number) => void;
}

/**
 * The `EventStream` that `openEventStream` returns: frames sent in one turn
 * of the event loop leave in one write; a client is not written to faster than it reads
 * (frames wait for `drain`), and one that stays behind by more than `maxBufferedBytes`,
 * or for longer than `stallTimeoutMs`, is dropped; the terminal frame goes out alone.
 */
export class SseWriter implements KeptAlive {
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private readonly keepalive: NodeJS.Timeout | undefined;
  private pending: Chunk[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** `res.write` returned false: wait for `drain` before writing again. */
  private blocked = false;
  /**
   * The response's buffer (`writableLength`) when it blocked: while blocked it only
   * shrinks, so this bounds it without reading the getter for every frame.
   */
  private blockedBytes = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  /** When the last write was made (`performance.now()`), for the terminal event's gap. */
  private lastWriteAt = -Infinity;
  /** When the stream opened: the first keepalive is due a period later. */
  private readonly openedAt = performance.now();
  private endTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private terminal: string | undefined;
  private isClosed = false;

  constructor(
    req: Request,
    private readonly res: Response,
    private readonly opts: EventStreamOptions,
  ) {
    this.signal = this.abort.signal;
    if (opts.ticker) opts.ticker.add(this);
    else {
      this.keepalive = setInterval(() => this.keepaliveTick(), opts.keepaliveMs);
      this.keepalive.unref();
    }
    const finish = () => this.finish();
    req.on('close', finish);
    res.on('close', finish);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(event: BuildEvent, id?: string, json?: string): void {
    if (this.isClosed || this.terminal !== undefined) return;
    this.enqueue(frameOf(event, id, json));
  }

  sendBatch(batch: LiveBatch): void {
    if (this.isClosed || this.terminal !== undefined) return;
    this.enqueue(batch.rendered(framesOf));
  }

  end(event: BuildEvent, id?: string): void {
    if (this.isClosed || this.terminal !== undefined) return;
    this.terminal = frameOf(event, id);
    this.flush();
    this.maybeEnd();
  }

  close(): void {
    if (this.isClosed) return;
    const rest = joined(this.pending);
    this.finish();
    this.res.end(rest);
  }

  whenWritable(): Promise<void> {
    if (this.isClosed) return Promise.reject(new StreamClosedError());
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes `:keepalive` when nothing was written for a keepalive period (the ticker's `now`). */
  keepaliveTick(now?: number): void {
    const last = Math.max(this.lastWriteAt, this.openedAt);
    if (now !== undefined && now - last < this.opts.keepaliveMs) return;
    if (this.idle() && this.terminal === undefined) this.write(':keepalive\n\n');
  }

  /** Nothing waits to be written, and the client drained what was. */
  private idle(): boolean {
    return !this.blocked && this.pending.length === 0;
  }

  private enqueue(frame: Chunk): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    const buffered = this.pendingBytes + this.blockedBytes;
    if (buffered > this.opts.maxBufferedBytes) return this.drop('too far behind', buffered);
    if (!this.scheduled && !this.blocked) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    if (this.isClosed || this.blocked || this.pending.length === 0) return;
    const frames = joined(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.write(frames)) this.wake();
  }

  /** One write; false when the client must drain first (the stall timer then runs). */
  private write(data: Chunk): boolean {
    this.lastWriteAt = performance.now();
    if (this.res.write(data)) return true;
    this.blocked = true;
    this.blockedBytes = this.res.writableLength;
    this.res.once('drain', this.onDrain);
    if (this.opts.stallTimeoutMs > 0) {
      this.stallTimer = setTimeout(
        () => this.drop('not reading', this.res.writableLength + this.pendingBytes),
        this.opts.stallTimeoutMs,
      );
    }
    return false;
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    this.blockedBytes = 0;
    clearTimeout(this.stallTimer);
    this.flush();
    if (this.idle()) this.wake();
    this.maybeEnd();
  };

  /**
   * Writes the terminal frame and ends, once every earlier frame was handed to the kernel
   * (the response buffers nothing: `writableLength` 0) and the last was written at least
   * TERMINAL_GAP_MS ago. While the client has not drained, `onDrain` calls again.
   */
  private maybeEnd(): void {
    const frame = this.terminal;
    if (!frame || this.isClosed || !this.idle() || this.endTimer) return;
    const wait =
      this.res.writableLength > 0
        ? Math.max(TERMINAL_GAP_MS, 1)
        : this.lastWriteAt + TERMINAL_GAP_MS - performance.now();
    if (wait > 0) {
      this.endTimer = setTimeout(() => {
        this.endTimer = undefined;
        this.maybeEnd();
      }, wait);
      return;
    }
    this.finish();
    this.res.end(frame);
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private drop(reason: string, bufferedBytes: number): void {
    if (this.isClosed) return;
    this.opts.onDrop?.(reason, bufferedBytes);
    this.finish();
    this.res.destroy();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending = [];
    this.pendingBytes = 0;
    clearInterval(this.keepalive);
    this.opts.ticker?.delete(this);
    clearTimeout(this.stallTimer);
    clearTimeout(this.endTimer);
    if (this.waiters.length > 0) {
      const err = new StreamClosedError();
      for (const w of this.waiters.splice(0)) w.reject(err);
    }
    this.abort.abort(STREAM_CLOSED);
  }
}
