import { defineConfig } from 'vitest/config';

// Two projects, one `vitest run` (docs/testing.md):
// - `parallel`: every file that does not share the stack's state — unit tests, and files
//   that start their own processes on free ports or use the stack's Redis under a key
//   prefix of their own. Several files at once, each in a worker thread of its own.
// - `stack`: `*.stack.test.ts`, the files that share the stack's Docker engine, registry,
//   JupyterHub or Kubernetes. Two files at a time, each in a process of its own, after
//   the parallel files (group 1), so builds and spawns do not compete with them.
// - `timing`: RUN_ALONE, last (group 2).
const PARALLEL_WORKERS = Number(process.env.BINDERHUB_TS_TEST_WORKERS ?? 3);
// Stack files at once (default 2). Each isolates its Redis keys, queue, image prefix and
// hub users; most of a stack file's time is waiting (builds, spawns, pushes), so two at
// once nearly halve the stack part on 2 cores (docs/testing.md has the figures).
const STACK_WORKERS = Number(process.env.BINDERHUB_TS_STACK_WORKERS ?? 2);

// Files whose assertions measure timing (a ratio of run times, how writes fall into
// network reads): they run last, in a group of their own, where no build or spawn takes
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
          include: ['test/**/*.stack.test.ts'],
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: RUN_ALONE,
          pool: 'forks',
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
