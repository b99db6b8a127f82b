import type { Request, Response } from 'express';
import { failedEvent } from '../../queue/index.js';
import { doneEventId } from '../builds/done-marker.js';
import { openEventStream } from '../sse/event-stream.js';
import { sendJsonError } from './json-error.js';

/** A stream that carries one small event: no keepalive due, nothing to buffer. */
const REFUSAL_STREAM = { keepaliveMs: 60_000, maxBufferedBytes: 64 * 1024, stallTimeoutMs: 0 };

/**
 * Refuses a request before any route ran: on `/build/…` as the single `failed` event of
 * an event stream (EventSource cannot read status codes), elsewhere as a JSON error.
 */
export function sendRefusal(req: Request, res: Response, status: number, message: string): void {
  if (!req.path.startsWith('/build/')) return sendJsonError(res, status, message);
  const stream = openEventStream(req, res, REFUSAL_STREAM);
  stream.end(failedEvent(message, status), doneEventId());
}
