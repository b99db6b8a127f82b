import { z } from 'zod';
import { seconds } from './common.js';

export const launcherSection = z
  .object({
    retries: z.number().int().min(1).max(20).default(4),
    retry_delay: z.number().nonnegative().default(4),
    launch_timeout: seconds().default(300),
  })
  .strict();

export const launchQuotaSection = z
  .object({
    /** null: no quota; 0: maintenance mode (no launches). */
    total_quota: z.number().int().nonnegative().nullable().default(null),
  })
  .strict();

export const rateLimiterSection = z
  .object({
    limit: z.number().int().nonnegative().default(10),
    period_seconds: seconds().default(3600),
  })
  .strict();
