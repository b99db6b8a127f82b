/** Fields the event log adds itself; an event may not carry them. */
export const RESERVED_FIELDS = ['timestamp', 'schema', 'version'] as const;

/** An event in its capsule, as one JSON line: `{timestamp, schema, version, ...fields}`. */
export type Capsule<F extends object = Record<string, unknown>> = {
  timestamp: string;
  schema: string;
  version: number;
} & F;

/**
 * Upstream's capsule timestamp: UTC, `%Y-%m-%dT%H:%M:%S.%fZ` (microseconds; JavaScript
 * clocks give milliseconds, so the last three digits are zeros).
 */
export function capsuleTimestamp(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Wraps event fields in a capsule. Reserved fields in `fields` are an error. */
export function capsule<F extends object>(
  schema: string,
  version: number,
  fields: F,
  at: Date = new Date(),
): Capsule<F> {
  for (const reserved of RESERVED_FIELDS) {
    if (reserved in fields) throw new TypeError(`event field "${reserved}" is reserved`);
  }
  return { timestamp: capsuleTimestamp(at), schema, version, ...fields };
}
