import type { BuildEvent } from './build-event.js';

/** String fields kept when an oversized event is cut down (ours, short). */
const CORE_FIELDS = ['phase', 'status_code', 'imageName'] as const;
const SHORT = 256;

const bytes = (s: string) => Buffer.byteLength(s);

/** The first `n` bytes of `s` as text (a character cut in half is left out). */
function headBytes(s: string, n: number): string {
  return Buffer.from(s)
    .subarray(0, Math.max(0, n))
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** The event without its message; just the short core fields if the rest is large. */
function withoutMessage(event: BuildEvent, maxBytes: number): BuildEvent {
  const rest: BuildEvent = { ...event };
  delete rest.message;
  if (bytes(JSON.stringify(rest)) <= maxBytes / 2) return rest;
  const core: Record<string, unknown> = {};
  for (const k of CORE_FIELDS) {
    const v = event[k];
    if (typeof v === 'number' || (typeof v === 'string' && v.length <= SHORT)) core[k] = v;
  }
  return core as BuildEvent;
}

/**
 * The event as JSON of at most `maxBytes` bytes: an event above the limit (a huge log
 * line) keeps its short fields and the head of its message, followed by a note of how
 * much was cut.
 */
export function eventJsonWithin(event: BuildEvent, maxBytes: number): string {
  const json = JSON.stringify(event);
  if (json.length * 3 <= maxBytes || bytes(json) <= maxBytes) return json;
  const message = event.message ?? '';
  const rest = withoutMessage(event, maxBytes);
  const note = (cut: number) =>
    `\n[… ${cut} bytes cut: one event is limited to ${maxBytes} bytes (BuildQueue.event_max_bytes)]\n`;
  const total = bytes(message);
  let keep = maxBytes - bytes(JSON.stringify({ ...rest, message: note(total) }));
  for (;;) {
    const head = headBytes(message, keep);
    const out = JSON.stringify({ ...rest, message: head + note(total - bytes(head)) });
    const over = bytes(out) - maxBytes;
    if (over <= 0) return out;
    // Its other fields alone are too large (pathological): a plain note instead.
    if (keep <= 0) return JSON.stringify({ phase: 'unknown', message: note(total) });
    keep -= over; // JSON escapes make a kept byte cost one or more: this converges
  }
}
