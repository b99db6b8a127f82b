import type { AppDeps } from '../app-deps.js';
import type { EventStreamOptions } from './event-stream.js';
import { KeepaliveTicker } from './keepalive-ticker.js';

/** Upstream's keepalive period. */
const KEEPALIVE_MS = 25_000;

/**
 * Options of the `/build` event streams of one app: `BuildQueue.event_stream_*`, one
 * keepalive timer for all of them, drop reporting. Made once, shared by every stream.
 */
export function eventStreamOptions(
  deps: Pick<AppDeps, 'config' | 'log' | 'metrics' | 'keepaliveMs'>,
): EventStreamOptions {
  const q = deps.config.BuildQueue;
  const keepaliveMs = deps.keepaliveMs ?? KEEPALIVE_MS;
  return {
    keepaliveMs,
    ticker: new KeepaliveTicker(keepaliveMs),
    maxBufferedBytes: q.event_stream_max_buffer,
    stallTimeoutMs: q.event_stream_stall_timeout * 1000,
    onDrop: (reason, bufferedBytes) => {
      deps.metrics.droppedEventStreams.inc();
      deps.log.info({ reason, bufferedBytes }, 'dropped a /build client that stopped reading');
    },
  };
}
