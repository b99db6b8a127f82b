import type { BuildEvent } from '../queue/index.js';

/**
 * One line of repo2docker's `--json-logs` output as a build event: JSON objects are
 * forwarded as they are (upstream does), anything else becomes phase `unknown`.
 */
export function parseLogLine(line: string): BuildEvent | undefined {
  const text = line.replace(/\r?\n$/, '');
  if (text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const e = parsed as Record<string, unknown>;
      if (typeof e.message !== 'string') e.message = '';
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
