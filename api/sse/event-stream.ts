import type { Request, Response } from 'express';
import type { BuildEvent } from '../../queue/index.js';

/** Reason of every closed stream's signal (one object: no stack trace per stream). */
const STREAM_CLOSED = Object.freeze({ name: 'StreamClosed', message: 'the event stream closed' });

export interface EventStream {
  /**
   * Sends one `data: <json>` frame, with an `id:` line when `id` is given; `json` is the
   * event already serialised (build log events arrive so from the bus).
   */
  send(event: BuildEvent, id?: string, json?: string): void;
  /** Ends the response (idempotent). */
  close(): void;
  readonly closed: boolean;
  /** Aborted when the client goes away or the stream is closed. */
  readonly signal: AbortSignal;
}

/**
 * Opens a Server-Sent Events response as upstream does (HTTP 200, `no-cache`), with a
 * `:keepalive` comment every `keepaliveMs`. Frames sent in one turn of the event loop
 * (a burst of build log lines) leave in one write, not one write each.
 */
export function openEventStream(req: Request, res: Response, keepaliveMs: number): EventStream {
  const abort = new AbortController();
  res.status(200);
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const keepalive = setInterval(() => res.write(':keepalive\n\n'), keepaliveMs);
  keepalive.unref();
  let closed = false;
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const frames = pending.join('');
    pending = [];
    if (!closed) res.write(frames);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    abort.abort(STREAM_CLOSED);
  };
  req.on('close', finish);
  res.on('close', finish);
  return {
    send(event, id, json) {
      if (closed) return;
      if (pending.length === 0) setImmediate(flush);
      pending.push(`${id ? `id: ${id}\n` : ''}data: ${json ?? JSON.stringify(event)}\n\n`);
    },
    close() {
      if (closed) return;
      flush();
      finish();
      res.end();
    },
    get closed() {
      return closed;
    },
    signal: abort.signal,
  };
}
