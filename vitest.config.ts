import { defineConfig } from 'vitest/config';

// Two projects, one `vitest run` (docs/testing.md):
// - `parallel`: every file that does not share the stack's state — unit tests, and files
//   that start their own processes on free ports or use the stack's Redis under a key
//   prefix of their own. Several files at once, each in a worker thread of its own.
// - `stack`: `*.stack.test.ts`, the files that share the stack's Docker engine, registry,
//   JupyterHub or Kubernetes, and RUN_ALONE. One file at a time, each in a process of its
//   own, after the parallel files (group 1), so builds and spawns do not compete with
//   them for the cores.
const PARALLEL_WORKERS = Number(process.env.BINDERHUB_TS_TEST_WORKERS ?? 3);
// Stack files at once (default 1). Each isolates its Redis keys, queue, image prefix and
// hub users, so more than one can run on a machine with cores to spare.
const STACK_WORKERS = Number(process.env.BINDERHUB_TS_STACK_WORKERS ?? 1);

// Files whose assertions measure timing (a ratio of run times, how writes fall into
// network reads): they run alone, in the sequential project, where no other file takes
// the cores (both failed once among parallel files on a machine at load 35).
const RUN_ALONE = [
  'test/unit/api/linear-parsing.test.ts',
  'test/integration/terminal-frame.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    poolOptions: {
      threads: { maxThreads: PARALLEL_WORKERS, minThreads: 1 },
      forks: { maxForks: STACK_WORKERS, minForks: 1 },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.stack.test.ts', ...RUN_ALONE],
          pool: 'threads',
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['test/**/*.stack.test.ts', ...RUN_ALONE],
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
