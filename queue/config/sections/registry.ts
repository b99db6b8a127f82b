import { z } from 'zod';

/** `DockerRegistry.*` — Docker Registry HTTP API v2 client settings. */
export const dockerRegistrySection = z
  .object({
    url: z.string().default(''),
    username: z.string().default(''),
    password: z.string().default(''),
    token_url: z.string().default(''),
    auth_config_url: z.string().default(''),
    docker_config_path: z.string().default(''),
    not_found_401: z.boolean().optional(),
    /** Seconds before one manifest request is abandoned. */
    request_timeout: z.number().positive().default(10),
  })
  .strict();

/**
 * `RegistryCleaner.*` — deletes this Binder's images not pushed or launched for
 * `max_age_days` (registry v2 API, by manifest digest). Off while `max_age_days` is 0.
 */
export const registryCleanerSection = z
  .object({
    /** Days without a push or launch after which an image is deleted (0 = the cleaner is off). */
    max_age_days: z.number().nonnegative().default(0),
    /** Seconds between scheduled runs (0 = only on demand, `POST /api/registry/clean`). */
    interval: z.number().int().nonnegative().default(86400),
    /** Report what would be deleted, delete nothing (scheduled runs too). */
    dry_run: z.boolean().default(false),
    /** Manifests deleted per run at most (the least recently used first). */
    max_deletions: z.number().int().min(1).default(500),
  })
  .strict();

export type RegistryCleanerConfig = z.infer<typeof registryCleanerSection>;
