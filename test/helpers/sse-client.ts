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
 * `failed`), parsing each frame. `onEvent` sees events as they arrive.
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
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1));
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length === 0) continue;
      const parsed = JSON.parse(data.join('\n')) as Record<string, unknown>;
      const e: ReceivedEvent = {
        ...(id ? { id } : {}),
        data: parsed,
        phase: typeof parsed.phase === 'string' ? parsed.phase : undefined,
        message: typeof parsed.message === 'string' ? parsed.message : undefined,
      };
      events.push(e);
      opts.onEvent?.(e);
    }
  }
  return { status: res.status, events, comments };
}

/** The distinct phases in order of first appearance. */
export function phaseSequence(events: ReceivedEvent[]): string[] {
  const seen: string[] = [];
  for (const e of events) if (e.phase && seen[seen.length - 1] !== e.phase) seen.push(e.phase);
  return seen;
}
