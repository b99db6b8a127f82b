import { sseMessages } from '../sse/sse-parser.js';

/**
 * Reads a `text/event-stream` body and yields each event's `data` parsed as JSON
 * (frames without valid JSON data are skipped).
 */
export async function* sseJsonFrames(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  for await (const { data } of sseMessages(body)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      continue; // not JSON: ignore
    }
    if (parsed && typeof parsed === 'object') yield parsed as Record<string, unknown>;
  }
}
