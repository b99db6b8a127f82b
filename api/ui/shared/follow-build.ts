import { isFinalPhase } from './build-phases.js';
import { createSseParser } from '../../sse/sse-parser.js';

/** One event of the `/build` stream (open shape: repo2docker fields pass through). */
export interface StreamEvent {
  phase?: string;
  message?: string;
  status_code?: number;
  url?: string;
  token?: string;
  [key: string]: unknown;
}

export interface FollowOptions {
  /** `/build/<provider>/<spec>` (absolute), without query. */
  url: string;
  token?: string;
  /** Epoch ms after which the token has expired and is no longer sent (resumes then count against the rate limit). */
  tokenDeadline?: number;
  /** Every non-final event, in order. */
  onEvent(event: StreamEvent): void;
  /** Called before waiting `delayMs` to reconnect after a dropped connection. */
  onReconnect?(attempt: number, delayMs: number, reason: string): void;
  fetch?: typeof fetch;
  /** Reconnects in a row without any event received before giving up (default 8). */
  maxRetries?: number;
  /** A connection silent this long is dropped (the server sends `:keepalive` every 25 s). */
  idleTimeoutMs?: number;
  backoffMs?(attempt: number): number;
  now?(): number;
  signal?: AbortSignal;
}

type Outcome = { final: StreamEvent } | { dropped: string; progressed: boolean };

const failed = (message: string, status_code?: number): StreamEvent =>
  status_code === undefined
    ? { phase: 'failed', message }
    : { phase: 'failed', message, status_code };

function requestUrl(o: FollowOptions, sendToken: boolean): string {
  if (!sendToken || !o.token) return o.url;
  const url = new URL(o.url);
  url.searchParams.set('build_token', o.token);
  return url.toString();
}

async function streamOnce(
  o: FollowOptions,
  url: string,
  lastId: { value?: string },
): Promise<Outcome> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  o.signal?.addEventListener('abort', onAbort);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => ctrl.abort(), o.idleTimeoutMs ?? 75_000);
  };
  let progressed = false;
  try {
    arm();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId.value) headers['last-event-id'] = lastId.value;
    const res = await (o.fetch ?? fetch)(url, { headers, signal: ctrl.signal, cache: 'no-store' });
    if (res.status === 204)
      return { final: failed('This launch already finished. Reload the page to launch again.') };
    if (!res.ok || !res.body) {
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        return {
          final: failed(`The server refused the request (HTTP ${res.status}).`, res.status),
        };
      }
      return { dropped: `HTTP ${res.status}`, progressed };
    }
    let final: StreamEvent | undefined;
    const parse = createSseParser((m) => {
      if (final) return;
      let event: StreamEvent;
      try {
        event = JSON.parse(m.data) as StreamEvent;
      } catch {
        return;
      }
      progressed = true;
      if (m.id && !m.id.startsWith('done-')) lastId.value = m.id;
      if (isFinalPhase(event.phase)) final = event;
      else o.onEvent(event);
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      arm();
      parse(decoder.decode(value, { stream: true }));
      if (final) {
        ctrl.abort();
        return { final };
      }
    }
    return { dropped: 'the stream ended before the launch finished', progressed };
  } catch (err) {
    if (o.signal?.aborted) throw err;
    return { dropped: ctrl.signal.aborted ? 'no data from the server' : String(err), progressed };
  } finally {
    clearTimeout(idle);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

const defaultBackoff = (attempt: number) => Math.min(1000 * 2 ** attempt, 15_000);

/**
 * Follows a build-and-launch stream to its end (`ready` or `failed`, which it returns).
 * A dropped connection is reopened with `Last-Event-ID` (the id of the last build log
 * event), so the server resumes the same build where the log stopped. The build token is
 * sent until its deadline; a resume refused for an invalid token is retried once without
 * it. Gives up after `maxRetries` reconnects in a row that brought no event.
 */
export async function followBuild(o: FollowOptions): Promise<StreamEvent> {
  const now = o.now ?? Date.now;
  const lastId: { value?: string } = {};
  let withToken = true;
  let failures = 0;
  for (let attempt = 0; ; attempt++) {
    const sendToken = withToken && (o.tokenDeadline === undefined || now() < o.tokenDeadline);
    const outcome = await streamOnce(o, requestUrl(o, sendToken), lastId);
    if ('final' in outcome) {
      const refusedResume =
        attempt > 0 &&
        sendToken &&
        outcome.final.status_code === 403 &&
        /build token/i.test(outcome.final.message ?? '');
      if (!refusedResume) return outcome.final;
      withToken = false;
      continue;
    }
    failures = outcome.progressed ? 0 : failures + 1;
    if (failures > (o.maxRetries ?? 8)) {
      return failed(
        `Lost the connection to the server (${outcome.dropped}). The build may still be running: reload the page to follow it again.`,
      );
    }
    const delay = (o.backoffMs ?? defaultBackoff)(failures);
    o.onReconnect?.(attempt + 1, delay, outcome.dropped);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
