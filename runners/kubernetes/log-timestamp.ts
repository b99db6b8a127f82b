/**
 * Log lines fetched with `timestamps=true` start with an RFC3339Nano time and a space.
 * The time orders lines across reconnects of a follow stream (`sinceTime` is only
 * precise to the second, so lines already seen are dropped by comparing times).
 */
export function splitTimestamp(line: string): { ts: string | undefined; text: string } {
  const space = line.indexOf(' ');
  const head = space > 0 ? line.slice(0, space) : '';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(head)) {
    return { ts: head, text: line.slice(space + 1) };
  }
  return { ts: undefined, text: line };
}

/** A sortable form: UTC seconds then nine fractional digits. */
export function sortableTimestamp(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const frac = /\.(\d+)/.exec(ts)?.[1] ?? '';
  return `${d.toISOString().slice(0, 19)}.${frac.padEnd(9, '0').slice(0, 9)}`;
}

/** True when `ts` is later than `after` (or there is nothing to compare with). */
export function isAfter(ts: string | undefined, after: string | undefined): boolean {
  if (!ts || !after) return true;
  return sortableTimestamp(ts) > sortableTimestamp(after);
}

/**
 * Nanoseconds from `originMs` to the log time `ts`: the line's position in its build,
 * the same for every runner that reads the pod (kubelet stamps the lines), and exact
 * as a JavaScript number for 104 days. Undefined when `ts` does not parse.
 */
export function nanosSince(ts: string, originMs: number): number | undefined {
  if (Number.isNaN(Date.parse(ts))) return undefined;
  const sortable = sortableTimestamp(ts);
  const secondsMs = Date.parse(`${sortable.slice(0, 19)}Z`);
  if (Number.isNaN(secondsMs)) return undefined;
  return (secondsMs - originMs) * 1e6 + Number(sortable.slice(20));
}
