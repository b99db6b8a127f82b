import { z } from 'zod';

/**
 * `FakeBuildExecutor.*` — the scripted build backend (`Runner.backend: fake`): no
 * repo2docker and no image, for tests of everything around a build (the `/build`
 * protocol, queue dedup, resume, quotas, bans) on a machine without Docker.
 */
export const fakeBuildExecutorSection = z
  .object({
    /**
     * The build's log, in order: a repo2docker JSON log line (`{"phase": …, "message": …}`)
     * is sent as it is, any other line as a `building` event.
     */
    log_lines: z
      .array(z.string())
      .default([
        '{"phase": "fetching", "message": "Fetching the repository (fake)\\n"}',
        'Step 1/2 : FROM scratch',
        'Step 2/2 : LABEL fake=true',
      ]),
    /** Seconds between two log lines. */
    line_interval: z.number().nonnegative().max(60).default(0.02),
    /** How every build ends, unless `fail_matching` says otherwise. */
    outcome: z.enum(['built', 'failed']).default('built'),
    /** Builds whose repository URL or spec contains one of these strings fail. */
    fail_matching: z.array(z.string().min(1)).default([]),
    /** The failed build's message. */
    failure_message: z.string().min(1).default('The build failed (FakeBuildExecutor)'),
  })
  .strict();
