import type { AppDeps } from '../app-deps.js';
import type { EventStreamOptions } from './event-stream.js';

/** Upstream's keepalive period. */
const KEEPALIVE_MS = 25_000;

/** Options of a `/build` event stream: `BuildQueue.event_stream_*`, keepalive, drop reporting. */
export function eventStreamOptions(
  deps: Pick<AppDeps, 'config' | 'log' | 'metrics' | 'keepaliveMs'>,
): EventStreamOptions {
  const q = deps.config.BuildQueue;
  return {
    keepaliveMs: deps.keepaliveMs ?? KEEPALIVE_MS,
    maxBufferedBytes: q.event_stream_max_buffer,
    stallTimeoutMs: q.event_stream_stall_timeout * 1000,
    onDrop: (reason, bufferedBytes) => {
      deps.metrics.droppedEventStreams.inc();
      deps.log.info({ reason, bufferedBytes }, 'dropped a /build client that stopped reading');
    },
  };
}
