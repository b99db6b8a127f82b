import type { Request, Response } from 'express';
import type { BuildEvent, LiveBatch } from '../../queue/index.js';
import { SseWriter, type EventStreamOptions } from './sse-writer.js';

export { StreamClosedError, TERMINAL_GAP_MS, type EventStreamOptions } from './sse-writer.js';

export interface EventStream {
  /**
   * Sends one `data: <json>` frame, with an `id:` line when `id` is given; `json` is the
   * event already serialised (build log events arrive so from the bus).
   */
  send(event: BuildEvent, id?: string, json?: string): void;
  /**
   * Sends a batch of live events: the same bytes as `send` for each, rendered once for
   * every stream the batch goes to (one Buffer, shared, written by reference).
   */
  sendBatch(batch: LiveBatch): void;
  /**
   * Sends the stream's terminal event (`ready`, `failed`) in a write of its own, once the
   * frames before it were handed to the kernel, `TERMINAL_GAP_MS` after the last, then ends
   * the response. Clients that mishandle a terminal frame arriving in the same network
   * read as earlier frames (binderhub-client 0.5.0) so see it alone.
   */
  end(event: BuildEvent, id?: string): void;
  /** Writes what is pending and ends the response (idempotent). */
  close(): void;
  /** Resolves once the client took what was written; rejects when the stream closed. */
  whenWritable(): Promise<void>;
  readonly closed: boolean;
  /** Aborted when the client goes away or the stream is closed. */
  readonly signal: AbortSignal;
}

/**
 * Opens a Server-Sent Events response as upstream does (HTTP 200, `no-cache`), with a
 * `:keepalive` comment every `keepaliveMs`. Frames sent in one turn of the event loop
 * (a burst of build log lines) leave in one write. A client that does not read is not
 * written to faster than it reads: frames wait for `drain`, and a client that stays
 * behind by more than `maxBufferedBytes`, or for longer than `stallTimeoutMs`, is
 * dropped (its connection closed): EventSource reconnects with Last-Event-ID.
 */
export function openEventStream(
  req: Request,
  res: Response,
  opts: EventStreamOptions,
): EventStream {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  return new SseWriter(req, res, opts);
}
