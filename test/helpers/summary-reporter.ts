import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export interface RunCounts {
  passed: number;
  failedTests: number;
  skipped: number;
  /** Errors outside any test: failed hooks, files that did not load, failed suites. */
  suiteErrors: number;
  /** Errors vitest caught outside the tests: unhandled rejections, worker errors. */
  unhandledErrors: number;
}

/** Counts tests by result, and every error that is not a test's own failure. */
export function countRun(modules: ReadonlyArray<TestModule>, unhandledErrors: number): RunCounts {
  const counts: RunCounts = {
    passed: 0,
    failedTests: 0,
    skipped: 0,
    suiteErrors: 0,
    unhandledErrors,
  };
  for (const m of modules) {
    counts.suiteErrors += m.errors().length;
    for (const s of m.children.allSuites()) counts.suiteErrors += s.errors().length;
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') counts.failedTests++;
      else counts.skipped++;
    }
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The closing line. `failed` counts failed tests and every error, so a run that fails
 * never reads `0 failed`; the parenthesis says what failed when it was not only tests.
 */
export function summaryLine(c: RunCounts, reason: TestRunEndReason): string {
  const errors = c.suiteErrors + c.unhandledErrors;
  // A run vitest calls failed always counts at least one failure, even if none was seen here.
  const unexplained = reason === 'failed' && c.failedTests + errors === 0 ? 1 : 0;
  const failed = c.failedTests + errors + unexplained;
  const details: string[] = [];
  if (errors + unexplained > 0) {
    details.push(plural(c.failedTests, 'test'));
    if (c.suiteErrors > 0) details.push(plural(c.suiteErrors, 'hook/suite error'));
    if (c.unhandledErrors > 0) details.push(plural(c.unhandledErrors, 'unhandled error'));
    if (unexplained > 0) details.push('the run failed: see the errors above');
  }
  const detail = details.length > 0 ? ` (${details.join(', ')})` : '';
  // vitest reports `passed` for a run whose only failures are unhandled errors.
  let verdict = failed > 0 ? ' - FAILED' : '';
  if (reason === 'interrupted') verdict = ' - INTERRUPTED';
  return `vitest: ${c.passed} passed, ${failed} failed${detail}, ${c.skipped} skipped${verdict}`;
}

/** Ends the run with one plain line, `vitest: N passed, N failed, N skipped`. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    const line = summaryLine(countRun(modules, unhandledErrors.length), reason);
    process.stdout.write(`\n${line}\n`);
  }
}
