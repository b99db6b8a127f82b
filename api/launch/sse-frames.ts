/**
 * Reads a `text/event-stream` body and yields each event's `data` parsed as JSON
 * (frames without valid JSON data are skipped).
 */
export async function* sseJsonFrames(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      try {
        const parsed: unknown = JSON.parse(data);
        if (parsed && typeof parsed === 'object') yield parsed as Record<string, unknown>;
      } catch {
        // not JSON: ignore
      }
    }
  }
}
