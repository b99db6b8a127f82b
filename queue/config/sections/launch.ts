import { z } from 'zod';
import { seconds } from './common.js';

/** A boolean that may come from an environment variable ('true' / 'false'). */
const envBoolean = () =>
  z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/** A non-negative integer that may come from an environment variable. */
const envCount = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
    z.number().int().nonnegative(),
  );

export const launcherSection = z
  .object({
    retries: z.number().int().min(1).max(20).default(4),
    retry_delay: z.number().nonnegative().default(4),
    launch_timeout: seconds().default(300),
    /**
     * Seconds between sweeps for temporary users of abandoned launches (0 = off): users
     * whose launch made no progress for twice `launch_timeout` are removed.
     */
    sweep_interval: seconds().default(60),
    /**
     * With `BinderHub.auth_enabled`: each launch starts a new named server of the user
     * (upstream; `$JUPYTERHUB_ALLOW_NAMED_SERVERS`), else the user's default server.
     */
    allow_named_servers: envBoolean().default(false),
    /** The hub's `named_server_limit_per_user` (0 = none; `$JUPYTERHUB_NAMED_SERVER_LIMIT_PER_USER`). */
    named_server_limit_per_user: envCount().default(0),
  })
  .strict();

export const launchQuotaSection = z
  .object({
    /** null: no quota; 0: maintenance mode (no launches). */
    total_quota: z.number().int().nonnegative().nullable().default(null),
  })
  .strict();

/** Per client address (IPv6: per /64) and per `period_seconds`; 0 turns a limit off. */
export const rateLimiterSection = z
  .object({
    /** `/build` requests without a build token (upstream). */
    limit: z.number().int().nonnegative().default(10),
    period_seconds: seconds().default(3600),
    /** `/build` requests with a valid build token (upstream: unlimited). */
    build_token_limit: z.number().int().nonnegative().default(300),
    /** Launch pages (`GET /v2/…`), each of which mints a build token. */
    launch_page_limit: z.number().int().nonnegative().default(300),
    /** `GET /api/builds` requests. */
    builds_api_limit: z.number().int().nonnegative().default(600),
    /** `/build` event streams open at once (across api replicas). */
    max_concurrent_streams: z.number().int().nonnegative().default(100),
    /** `/build` requests per logged-in hub user (`BinderHub.auth_enabled`), instead of per address. */
    user_limit: z.number().int().nonnegative().default(100),
  })
  .strict();
