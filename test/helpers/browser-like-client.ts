/**
 * A `/build` client that behaves like a browser's EventSource: when its stream ends
 * without a terminal event (the connection dropped), it reconnects after `retryMs` with
 * `Last-Event-ID` set to the last id it saw, until it gets `ready` or `failed`.
 */
import { readEventStream, type ReceivedEvent } from './sse-client.js';

export interface FollowedBuild {
  /** Every event received, over all connections, in order. */
  events: ReceivedEvent[];
  /** When each event arrived (ms since epoch). */
  times: number[];
  terminal?: ReceivedEvent;
  /** When the terminal event arrived (ms since epoch). */
  terminalAt?: number;
  connections: number;
}

export async function followLikeBrowser(
  url: string,
  o: { onEvent?: (e: ReceivedEvent) => void; retryMs?: number; deadlineMs?: number } = {},
): Promise<FollowedBuild> {
  const out: FollowedBuild = { events: [], times: [], connections: 0 };
  const deadline = Date.now() + (o.deadlineMs ?? 300_000);
  let lastId: string | undefined;
  while (!out.terminal && Date.now() < deadline) {
    out.connections++;
    await readEventStream(url, {
      headers: lastId ? { 'last-event-id': lastId } : {},
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      onEvent: (e) => {
        out.events.push(e);
        out.times.push(Date.now());
        if (e.id && !e.id.startsWith('done-')) lastId = e.id;
        if (e.phase === 'ready' || e.phase === 'failed') {
          out.terminal = e;
          out.terminalAt = Date.now();
        }
        o.onEvent?.(e);
      },
    }).catch(() => undefined);
    if (!out.terminal) await new Promise((r) => setTimeout(r, o.retryMs ?? 1000));
  }
  return out;
}

/** The numbers of `tick <n>` lines in the events (several may share one message). */
export function ticksOf(events: ReceivedEvent[]): number[] {
  return events.flatMap((e) =>
    [...(e.message ?? '').matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])),
  );
}
