import { z } from 'zod';
import { seconds } from './common.js';

/** A dashboard credential: off when empty, else long enough not to be guessed. */
const token = () =>
  z
    .string()
    .default('')
    .refine((s) => s === '' || s.length >= 16, {
      message: 'must be empty (off) or at least 16 characters',
    });

/** `Dashboard.*` — the operator queue dashboard (bull-board). Off until a token is set. */
export const dashboardSection = z
  .object({
    /** Where the dashboard answers, under `BinderHub.base_url`. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/, 'an absolute path like /admin/queues')
      .default('/admin/queues'),
    /** Full access: retry, promote, clean, remove. Bearer token, or the basic-auth password. */
    admin_token: token(),
    /** Read-only access. Bearer token, or the basic-auth password. */
    viewer_token: token(),
    /** Board title shown in the dashboard's header. */
    title: z.string().default('binderhub-ts builds'),
  })
  .strict()
  .refine((d) => d.admin_token === '' || d.admin_token !== d.viewer_token, {
    message: 'admin_token and viewer_token must differ',
    path: ['viewer_token'],
  });

/** `EventLog.*` — `binderhub.jupyter.org/launch` events and build events as JSON lines. */
export const eventLogSection = z
  .object({
    sink: z.enum(['none', 'stdout', 'file']).default('none'),
    /** File the JSON lines are appended to when `sink` is `file`. */
    path: z.string().default(''),
    /** Also write `binderhub-ts.jupyter.org/build` events (runner side). */
    build_events: z.boolean().default(true),
  })
  .strict()
  .refine((e) => e.sink !== 'file' || e.path !== '', {
    message: 'sink "file" needs EventLog.path',
    path: ['path'],
  });

/** `Health.*` — the extra `/health` checks: live build runners and the queue backlog. */
export const healthSection = z
  .object({
    /** Seconds a health answer is reused (upstream: checks run at most every 15 s). */
    cache_seconds: seconds().default(5),
    /** Fail `/health` when no runner has sent a heartbeat in 3 heartbeat intervals. */
    require_live_runner: z.boolean().default(true),
    /** Fail `/health` when more builds than this wait in the queue (0 = off). */
    max_queue_backlog: z.number().int().nonnegative().default(500),
    /** Fail `/health` when the oldest waiting interactive build waited longer (0 = off). */
    max_queue_wait: seconds().default(1800),
  })
  .strict();

export type DashboardConfig = z.infer<typeof dashboardSection>;
export type EventLogConfig = z.infer<typeof eventLogSection>;
export type HealthConfig = z.infer<typeof healthSection>;
