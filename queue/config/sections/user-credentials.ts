import { z } from 'zod';
import { seconds } from './common.js';

/**
 * `UserCredentials.*` — each hub user's own GitHub/GitLab tokens (issue 17), with
 * `BinderHub.auth_enabled`: how they are kept and checked.
 */
export const userCredentialsSection = z
  .object({
    /**
     * 32 random bytes (64 hex digits, or base64): seals the tokens in Redis and in build
     * jobs. api and runners must have the same key.
     */
    encryption_key: z.string().default(''),
    /** Seconds a user's "can read this repository" answer is reused. */
    access_check_seconds: seconds().min(1).default(60),
    /** A token expiring within this many seconds is refreshed before it is used. */
    refresh_margin_seconds: seconds().default(300),
  })
  .strict();

const oauthApp = (scope: string) =>
  z
    .object({
      /** The OAuth application's client id ('' = users cannot connect this provider). */
      client_id: z.string().default(''),
      client_secret: z.string().default(''),
      /** Scopes asked for (space-separated). */
      scope: z.string().default(scope),
      /**
       * The callback registered with the application; '' =
       * `<scheme>://<host><base_url>auth/connect/<provider>/callback` of each request.
       */
      redirect_uri: z
        .string()
        .refine((s) => s === '' || /^https?:\/\/[^/]+\/.*callback$/.test(s), {
          message: "must be an http(s) URL whose path ends in 'callback', or ''",
        })
        .default(''),
    })
    .strict();

/** `GitHubOAuth.*` — an OAuth app (or a GitHub App's user tokens) on `GitHubRepoProvider.hostname`. */
export const gitHubOAuthSection = oauthApp('repo');
/** `GitLabOAuth.*` — an OAuth application on `GitLabRepoProvider.hostname`. */
export const gitLabOAuthSection = oauthApp('read_api read_repository');

export type UserCredentialsConfig = z.infer<typeof userCredentialsSection>;
export type OAuthAppConfig = z.infer<typeof gitHubOAuthSection>;
