/** Compares two decimal strings without leading zeros (stream-id parts). */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two Redis stream ids (`<ms>-<seq>`); negative when a < b. Hot path: no BigInt. */
export function compareStreamIds(a: string, b: string): number {
  const ai = a.indexOf('-');
  const bi = b.indexOf('-');
  const ms = compareDecimal(ai < 0 ? a : a.slice(0, ai), bi < 0 ? b : b.slice(0, bi));
  if (ms !== 0) return ms;
  return compareDecimal(ai < 0 ? '0' : a.slice(ai + 1), bi < 0 ? '0' : b.slice(bi + 1));
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** A well-formed stream id, or undefined (used to validate Last-Event-ID from clients). */
export function parseStreamId(raw: string | undefined): string | undefined {
  return raw && STREAM_ID.test(raw) ? raw : undefined;
}
