import type { File, Task } from 'vitest';
import type { Reporter } from 'vitest/reporters';

function collect(tasks: Task[], out: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'suite') collect(t.tasks, out);
    else if (t.result?.state === 'pass') out.passed++;
    else if (t.result?.state === 'fail') out.failed++;
    else out.skipped++;
  }
}

/** Ends the run with one plain line, `vitest: N passed, N failed, N skipped`. */
export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    collect(files, counts);
    // Files that failed to load have no tests but count as failures.
    counts.failed += files.filter((f) => f.result?.state === 'fail' && f.tasks.length === 0).length;
    process.stdout.write(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
