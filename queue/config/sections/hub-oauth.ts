import { z } from 'zod';
import { seconds } from './common.js';

/**
 * `HubOAuth.*` — binderhub-ts as a JupyterHub OAuth client (a hub service) when
 * `BinderHub.auth_enabled`: upstream takes these from jupyterhub's `HubOAuth` class and
 * its `$JUPYTERHUB_*` variables. The client secret is the service's token
 * (`BinderHub.hub_api_token`), as for every hub service.
 */
export const hubOAuthSection = z
  .object({
    /** The service's OAuth client id in the hub's `services` (`$JUPYTERHUB_CLIENT_ID`). */
    oauth_client_id: z
      .string()
      .regex(/^service-/, "must start with 'service-' (JupyterHub's rule for services)")
      .default('service-binder'),
    /**
     * The callback URL registered with the hub (`$JUPYTERHUB_OAUTH_CALLBACK_URL`);
     * '' = `<scheme>://<host><base_url>oauth_callback` of each request.
     */
    oauth_redirect_uri: z
      .string()
      .refine((s) => s === '' || /^https?:\/\/[^/]+\/.*oauth_callback$/.test(s), {
        message: "must be an http(s) URL whose path ends in 'oauth_callback', or ''",
      })
      .default(''),
    /** Seconds a login lasts without being renewed. */
    session_max_age: seconds().min(60).default(86400),
    /** Seconds between checks with the hub that a session's hub token is still valid. */
    cache_max_age: seconds().default(300),
    cookie_name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
      .default('binderhub-session'),
    /** `Secure` cookies: 'auto' = when the request came over https (or a trusted proxy says so). */
    cookie_secure: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  })
  .strict();

export type HubOAuthConfig = z.infer<typeof hubOAuthSection>;
