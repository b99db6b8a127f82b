export interface SseMessage {
  /** The `id:` of the message, if it had one. */
  id?: string;
  data: string;
}

/**
 * The one parser of a `text/event-stream` body, for every reader of one: the launch page
 * (bundled into the UI), the api reading JupyterHub's progress stream, and the tests.
 * Incremental, for the subset `/build` and the hub use (`data:`, `id:`, comments): feed
 * it decoded text chunks in order; it calls `onMessage` for each complete message and
 * `onComment` with each comment's text (after the `:`). Handles `\n`, `\r\n` and `\r`
 * line ends split across chunks.
 */
export function createSseParser(
  onMessage: (m: SseMessage) => void,
  onComment?: (text: string) => void,
): (chunk: string) => void {
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0)
        onMessage(id === undefined ? { data: data.join('\n') } : { id, data: data.join('\n') });
      data = [];
      id = undefined;
      return;
    }
    if (text.startsWith(':')) {
      onComment?.(text.slice(1));
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      if (!match) return;
      // A lone `\r` at the end may be the first half of `\r\n`: wait for more.
      if (match[0] === '\r' && match.index === buffer.length - 1) return;
      line(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
    }
  };
}

/**
 * The messages of a `text/event-stream` response body, in order, until it ends. The text
 * is decoded as UTF-8 across reads; `onComment` sees each comment line. A consumer that
 * stops early leaves the body's reader locked, as the api's hub-progress reader always
 * did: releasing the lock there made first launches time out under load in
 * test/faults/abandoned-launches (200 clients; cause not pinned down yet).
 */
export async function* sseMessages(
  body: ReadableStream<Uint8Array>,
  onComment?: (text: string) => void,
): AsyncGenerator<SseMessage> {
  const ready: SseMessage[] = [];
  const feed = createSseParser((m) => ready.push(m), onComment);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
    yield* ready.splice(0);
    if (done) return;
  }
}
