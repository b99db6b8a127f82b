/**
 * True when the Accept header lists `text/event-stream` among its media ranges. Unlike
 * upstream (which splits on `;`), ranges are split on `,` and parameters dropped, so
 * `text/event-stream, text/html` is accepted too.
 */
export function acceptsEventStream(header: string | undefined): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((range) => range.split(';')[0]!.trim().toLowerCase())
    .includes('text/event-stream');
}
