/** One line of a bench's verdict table: metric | target | measured | met?. */
export interface TargetRow {
  metric: string;
  target: string;
  measured: string;
  /** `undefined`: informational, no target. */
  met: boolean | undefined;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - s.length));
}

/** Renders rows as a GitHub-flavoured Markdown table (so it pastes into docs as is). */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function verdictTable(rows: readonly TargetRow[]): string {
  return markdownTable(
    ['metric', 'target', 'measured', 'met?'],
    rows.map((r) => [
      r.metric,
      r.target,
      r.measured,
      r.met === undefined ? '—' : r.met ? 'yes' : 'NO',
    ]),
  );
}

/** Prints a titled table to stdout. */
export function printTable(title: string, table: string): void {
  process.stdout.write(`\n${title}\n\n${table}\n`);
}
