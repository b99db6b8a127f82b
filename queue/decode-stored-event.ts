import { buildEventSchema, type StoredBuildEvent } from './build-event.js';

/** A history stream entry as Redis returns it: its id and its fields (`e`, the event JSON). */
export type StreamRow = [string, string[]];

/**
 * An event read back from Redis (history or pub/sub), checked against the event schema:
 * what does not parse, or is not an event, is dropped (undefined), never passed on.
 */
export function decodeStoredEvent(id: string, json: string): StoredBuildEvent | undefined {
  try {
    const parsed = buildEventSchema.safeParse(JSON.parse(json));
    return parsed.success ? { id, event: parsed.data, json } : undefined;
  } catch {
    return undefined;
  }
}

/** The events of history stream entries, in order, leaving out those that do not decode. */
export function decodeStreamRows(rows: StreamRow[]): StoredBuildEvent[] {
  const out: StoredBuildEvent[] = [];
  for (const [id, fields] of rows) {
    const e = decodeStoredEvent(id, fields[1] ?? '');
    if (e) out.push(e);
  }
  return out;
}
