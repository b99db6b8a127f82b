import type { BuildEvent } from '../queue/index.js';

/**
 * Fields of repo2docker's JSON log lines that carry its internals (a Python traceback):
 * kept out of the events clients see, handed to the runner's log instead.
 */
const INTERNAL_FIELDS = ['exc_info', 'stack_info'] as const;

/**
 * One line of repo2docker's `--json-logs` output as a build event: JSON objects are
 * forwarded as they are (upstream does) but for their tracebacks, which go to
 * `onInternals` (the runner's log); anything else becomes phase `unknown`.
 */
export function parseLogLine(
  line: string,
  onInternals?: (fields: Record<string, unknown>) => void,
): BuildEvent | undefined {
  const text = line.replace(/\r?\n$/, '');
  if (text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const e = parsed as Record<string, unknown>;
      if (typeof e.message !== 'string') e.message = '';
      const internals: Record<string, unknown> = {};
      for (const field of INTERNAL_FIELDS) {
        if (!(field in e)) continue;
        internals[field] = e[field];
        delete e[field];
      }
      if (Object.keys(internals).length > 0) onInternals?.(internals);
      return e as BuildEvent;
    }
  } catch {
    // not JSON
  }
  return { phase: 'unknown', message: `${text}\n` };
}

/** True when repo2docker reported the build failed (phase `failure` or `failed`). */
export function isFailureLine(e: BuildEvent): boolean {
  return e.phase === 'failed' || e.phase === 'failure';
}
