import { z } from 'zod';
import { repoProviderTraits, seconds } from './common.js';

export const gitHubProviderSection = z
  .object({
    ...repoProviderTraits,
    hostname: z.string().default('github.com'),
    api_base_path: z.string().default(''),
    access_token: z.string().default(''),
    client_id: z.string().default(''),
    client_secret: z.string().default(''),
  })
  .strict();

export const gistProviderSection = z
  .object({ ...repoProviderTraits, allow_secret_gist: z.boolean().default(false) })
  .strict();

export const gitLabProviderSection = z
  .object({
    ...repoProviderTraits,
    hostname: z.string().default('gitlab.com'),
    access_token: z.string().default(''),
    private_token: z.string().default(''),
  })
  .strict();

export const gitProviderSection = z
  .object({
    ...repoProviderTraits,
    allowed_protocols: z
      .array(z.enum(['http', 'https', 'git', 'ssh']))
      .default(['http', 'https', 'git', 'ssh']),
    /** Allow repositories on loopback, private and link-local addresses (SSRF guard off). */
    allow_private_hosts: z.boolean().default(false),
    ls_remote_timeout: seconds().default(30),
  })
  .strict();
