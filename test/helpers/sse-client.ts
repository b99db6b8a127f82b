import { sseMessages } from '../../api/sse/sse-parser.js';

/** One event of a `/build` stream as a test sees it. */
export interface ReceivedEvent {
  id?: string;
  data: Record<string, unknown>;
  phase?: string;
  message?: string;
}

export interface StreamResult {
  status: number;
  events: ReceivedEvent[];
  /** Comment lines seen (`:keepalive`). */
  comments: string[];
}

/**
 * Reads a Server-Sent Events response to its end (the server closes after `ready` /
 * `failed`), parsing each frame with the api's and the UI's parser. `onEvent` sees events as they arrive.
 */
export async function readEventStream(
  url: string,
  opts: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    onEvent?: (e: ReceivedEvent) => void;
  } = {},
): Promise<StreamResult> {
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...opts.headers },
    signal: opts.signal ?? AbortSignal.timeout(600_000),
  });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  if (!res.body) return { status: res.status, events, comments };
  for await (const m of sseMessages(res.body, (text) => comments.push(text))) {
    const parsed = JSON.parse(m.data) as Record<string, unknown>;
    const e: ReceivedEvent = {
      ...(m.id ? { id: m.id } : {}),
      data: parsed,
      phase: typeof parsed.phase === 'string' ? parsed.phase : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : undefined,
    };
    events.push(e);
    opts.onEvent?.(e);
  }
  return { status: res.status, events, comments };
}

/** The distinct phases in order of first appearance. */
export function phaseSequence(events: ReceivedEvent[]): string[] {
  const seen: string[] = [];
  for (const e of events) if (e.phase && seen[seen.length - 1] !== e.phase) seen.push(e.phase);
  return seen;
}
