import { z } from 'zod';
import { seconds } from './common.js';

/** One explicitly pooled spec: `<provider prefix>/<spec>` as in a Binder link after `/v2/`. */
const pooledSpec = z
  .object({
    /** e.g. `gh/binder-examples/requirements/HEAD`, `git/<url-encoded URL>/main`. */
    spec: z
      .string()
      .regex(/^[a-z]+\/.+[^/]$/, 'must be <provider prefix>/<spec>, e.g. gh/org/repo/HEAD'),
    /** Servers kept started for it. */
    size: z.number().int().min(1).max(1000),
  })
  .strict();

/**
 * `LaunchPool.*` — warm servers for the specs launched most, handed out on request. Off
 * while there are no `specs` and `auto_top_k` is 0, or while `max_servers` is 0.
 */
export const launchPoolSection = z
  .object({
    specs: z.array(pooledSpec).default([]),
    /** Also pool the K specs launched most over `auto_window` (0 = only `specs`). */
    auto_top_k: z.number().int().nonnegative().default(0),
    /** Servers kept for each automatically chosen spec. */
    auto_size: z.number().int().min(1).max(1000).default(1),
    /** The sliding window launches are counted over. */
    auto_window: seconds().min(60).default(3600),
    /** Launches within the window before a spec may be chosen automatically. */
    auto_min_launches: z.number().int().min(1).default(5),
    /** Pooled servers in all (starting and ready), whatever the sizes ask for. */
    max_servers: z.number().int().nonnegative().default(10),
    /** A pooled server not claimed by then is replaced (keep it below the culler's timeout). */
    max_age: seconds().min(30).default(300),
    /** Seconds between two looks at the pool (each claim also triggers one). */
    refill_interval: seconds().min(1).default(10),
  })
  .strict();

export type LaunchPoolConfig = z.infer<typeof launchPoolSection>;

/** Whether the configuration asks for any pooled server at all. */
export function poolEnabled(c: LaunchPoolConfig): boolean {
  return c.max_servers > 0 && (c.specs.length > 0 || c.auto_top_k > 0);
}
