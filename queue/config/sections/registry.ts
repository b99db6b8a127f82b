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
