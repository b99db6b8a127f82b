import { z } from 'zod';
import { seconds } from './common.js';

/** Glob patterns over names (`*` within a `/`-segment, `**` across segments, `?` one character). */
const globList = () => z.array(z.string().min(1)).default([]);

/** Traits shared by every push webhook (GitHub, GitLab): what to build, for which repositories. */
const pushWebhookTraits = {
  /** URL path of the webhook, under `BinderHub.base_url`. */
  path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'a path such as /hooks/github'),
  /** Build pushes to the repository's default branch. */
  build_default_branch: z.boolean().default(true),
  /** Other branches to build on push (globs over the branch name, e.g. `release/*`). */
  branch_patterns: globList(),
  /** Tags to build on push (globs over the tag name, e.g. `v*`); none by default. */
  tag_patterns: globList(),
  /** Only these repositories (`owner/repo` globs, e.g. `my-org/*`); empty = any repository. */
  allowed_repos: globList(),
  /** Repositories that opted out of pre-builds (`owner/repo` globs). */
  opt_out_repos: globList(),
  /** Largest delivery accepted, in bytes (larger → 413). */
  max_body_size: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Seconds a delivery id is remembered, so a redelivery builds nothing new (GitHub: 3 days). */
  delivery_ttl: seconds().default(259200),
};

/** `GitHubWebhook.*` — pre-build on push. Off until a secret is set. */
export const gitHubWebhookSection = z
  .object({
    /** HMAC secret shared with GitHub (the webhook's "Secret"); '' = webhook off. */
    secret: z.string().default(''),
    ...pushWebhookTraits,
    path: pushWebhookTraits.path.default('/hooks/github'),
  })
  .strict();

/** `GitLabWebhook.*` — pre-build on GitLab push hooks. Off until a token is set. */
export const gitLabWebhookSection = z
  .object({
    /** Secret token GitLab sends in `X-Gitlab-Token`; '' = webhook off. */
    secret_token: z.string().default(''),
    ...pushWebhookTraits,
    path: pushWebhookTraits.path.default('/hooks/gitlab'),
  })
  .strict();

export type GitHubWebhookConfig = z.infer<typeof gitHubWebhookSection>;
export type PushWebhookConfig = Omit<GitHubWebhookConfig, 'secret'>;

/** `PrebuildApi.*` — `POST /api/prebuilds`: pre-builds asked for by any git host or CI. */
export const prebuildApiSection = z
  .object({
    /**
     * Bearer token that may only ask for pre-builds. `Dashboard.admin_token` is accepted
     * too; with neither set the API is off (404).
     */
    token: z
      .string()
      .default('')
      .refine((s) => s === '' || s.length >= 16, {
        message: 'must be empty (off) or at least 16 characters',
      }),
  })
  .strict();
