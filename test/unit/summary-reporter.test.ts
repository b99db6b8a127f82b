import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The reporter in a real vitest run (a child process) over small fixture files: one that
// passes, one whose beforeAll throws, one that leaves an unhandled rejection, one failing
// test. Each run's exit code and closing line must agree.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'summary-reporter');
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

interface Run {
  code: number;
  line: string;
}

function runFixture(file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [VITEST, 'run', '--config', 'vitest.config.ts', file],
      { cwd: FIXTURES, env: { ...process.env, CI: '1', NO_COLOR: '1' }, timeout: 120_000 },
      (err, stdout) => {
        if (err && typeof err.code !== 'number') return reject(err);
        const lines = stdout.split('\n').filter((l) => l.startsWith('vitest: '));
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, line: lines.at(-1) ?? '' });
      },
    );
  });
}

describe('the closing summary line', () => {
  it('counts passed and skipped tests of a passing run', async () => {
    const run = await runFixture('passing.fixture.ts');
    expect(run.code).toBe(0);
    expect(run.line).toBe('vitest: 1 passed, 0 failed, 1 skipped');
  });

  it('counts a failed beforeAll hook as a failure', async () => {
    const run = await runFixture('failing-hook.fixture.ts');
    expect(run.code).toBe(1);
    expect(run.line).toBe(
      'vitest: 1 passed, 1 failed (0 tests, 1 hook/suite error), 1 skipped - FAILED',
    );
  });

  it('counts an unhandled rejection in a run whose tests all passed', async () => {
    const run = await runFixture('unhandled-rejection.fixture.ts');
    expect(run.code).toBe(1);
    expect(run.line).toBe(
      'vitest: 1 passed, 1 failed (0 tests, 1 unhandled error), 0 skipped - FAILED',
    );
  });

  it('counts a failing test', async () => {
    const run = await runFixture('failing-test.fixture.ts');
    expect(run.code).toBe(1);
    expect(run.line).toBe('vitest: 1 passed, 1 failed, 0 skipped - FAILED');
  });
});
