import type { BuildEvent, StoredBuildEvent } from '../../queue/index.js';

/** What waits to be written to a stream: frames as text, or a batch's shared bytes. */
export type Chunk = string | Buffer;

/** One `data: <json>` frame, with an `id:` line when `id` is given (`json`: already serialised). */
export const frameOf = (event: BuildEvent, id?: string, json?: string): string =>
  `${id ? `id: ${id}\n` : ''}data: ${json ?? JSON.stringify(event)}\n\n`;

/** The frames of a batch of events, as bytes (computed once per batch: `LiveBatch.rendered`). */
export const framesOf = (events: readonly StoredBuildEvent[]): Buffer =>
  Buffer.from(events.map((e) => frameOf(e.event, e.id, e.json)).join(''));

/** The chunks as one write: a lone chunk as it is (a shared batch is not copied). */
export function joined(chunks: Chunk[]): Chunk {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.every((c) => typeof c === 'string')) return chunks.join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}
