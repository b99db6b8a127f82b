import { z } from 'zod';

/** `GitHubWebhook.*` — pre-build on push. Off until a secret is set. */
export const gitHubWebhookSection = z
  .object({
    secret: z.string().default(''),
    path: z.string().default('/hooks/github'),
  })
  .strict();
