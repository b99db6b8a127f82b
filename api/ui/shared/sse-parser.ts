export interface SseMessage {
  /** The `id:` of the message, if it had one. */
  id?: string;
  data: string;
}

/**
 * An incremental parser of a `text/event-stream` body (the subset `/build` uses: `data:`,
 * `id:`, comments). Feed it decoded text chunks in order; it calls `onMessage` for each
 * complete message. Handles `\n`, `\r\n` and `\r` line ends split across chunks.
 */
export function createSseParser(onMessage: (m: SseMessage) => void): (chunk: string) => void {
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
    if (text.startsWith(':')) return;
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
