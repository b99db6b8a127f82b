import { isIP } from 'node:net';
import { z } from 'zod';
import { seconds } from './common.js';

/** An IP address or CIDR network, or one of Express's names for ranges of proxies. */
function isProxyAddress(s: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(s)) return true;
  const [address = '', bits, extra] = s.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies in front of the api are trusted to append the client address to
 * `X-Forwarded-For`: `false` (none: the socket's address is the client), a number of
 * hops (`true` = 1: the last address is the client, as upstream's tornado `xheaders`),
 * or the proxies' addresses / CIDR networks (`loopback`, `linklocal`, `uniquelocal`).
 */
const trustProxy = z
  .union([
    z.boolean(),
    z.number().int().min(0).max(16),
    z
      .array(
        z
          .string()
          .refine(
            isProxyAddress,
            'must be an IP address, a CIDR network, or loopback/linklocal/uniquelocal',
          ),
      )
      .min(1),
  ])
  .default(false);

const baseUrl = z
  .string()
  .default('/')
  .transform((s) => `/${s.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/'));

const slashTerminated = z.string().transform((s) => (s === '' || s.endsWith('/') ? s : `${s}/`));

/** `BinderHub.*` — upstream's main application traits (those this implementation honours). */
export const binderHubSection = z
  .object({
    port: z.number().int().min(0).max(65535).default(8585),
    bind_host: z.string().default('127.0.0.1'),
    base_url: baseUrl,
    badge_base_url: z.string().default(''),
    hub_url: slashTerminated.default(''),
    hub_url_local: slashTerminated.default(''),
    hub_api_token: z.string().default(''),
    /** Users log in through JupyterHub (HubOAuth.*) and launch their own servers. */
    auth_enabled: z.boolean().default(false),
    use_registry: z.boolean().default(true),
    image_prefix: z.string().default(''),
    per_repo_quota: z.number().int().nonnegative().default(0),
    per_repo_quota_higher: z.number().int().nonnegative().default(0),
    /** Hex key of build-token JWTs ('' = random per process; set it when running replicas). */
    build_token_secret: z
      .string()
      .regex(/^([0-9a-fA-F]{2})*$/, 'must be hex (an even number of 0-9a-f digits)')
      .default(''),
    build_token_expires_seconds: seconds().default(300),
    build_token_check_origin: z.boolean().default(true),
    /** CIDR → label; requests from these networks get 403 (upstream's trait). */
    ban_networks: z
      .record(
        z
          .string()
          .regex(/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/, 'must be an IP network such as 10.0.0.0/8'),
        z.string(),
      )
      .default({}),
    cors_allow_origin: z.string().default(''),
    enable_api_only_mode: z.boolean().default(false),
    normalized_origin: z.string().default(''),
    about_message: z.string().default(''),
    banner_message: z.string().default(''),
    default_opengraph_title: z.string().default('The Binder Project'),
    extra_header_html: z.record(z.string(), z.string()).default({}),
    extra_footer_scripts: z.record(z.string(), z.string()).default({}),
    build_cleanup_interval: seconds().default(60),
    /** Proxies trusted to set X-Forwarded-For: false, a hop count (true = 1), or their addresses. */
    trust_proxy: trustProxy,
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .strict();

export type BinderHubConfig = z.infer<typeof binderHubSection>;
