import type { Redis } from 'ioredis';
import type { Config } from '../queue/config/index.js';
import type { EventLog } from '../queue/event-log/index.js';
import type { FollowerLeases } from '../queue/followers/follower-leases.js';
import type { BuildQueue, EventBus, Logger } from '../queue/index.js';
import type { LastGoodStore } from '../queue/last-good/last-good-store.js';
import type { ImageUse } from '../queue/registry-retention/image-use.js';
import type { HubLogin } from './auth/create-hub-login.js';
import type { UserCredentials } from './credentials/create-user-credentials.js';
import type { BuildTokens } from './build-token/build-tokens.js';
import type { RegistryCleaner } from './registry-cleaner/registry-cleaner.js';
import type { HealthChecker } from './health/health-checker.js';
import type { LaunchQuota } from './launch/launch-quota.js';
import type { Launcher } from './launch/launcher.js';
import type { ApiMetrics } from './metrics/api-metrics.js';
import type { LaunchPool } from './pool/launch-pool.js';
import type { ClientLimits } from './rate-limit/client-limits.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { ProviderRegistry } from './providers/provider-entry.js';
import type { ImageRegistry } from './registry/image-registry.js';
import type { UiAssets } from './ui/assets/ui-assets.js';
import type { Prebuilds } from './webhooks/create-prebuilds.js';

/** Everything the api needs, built once at start-up (or by a test) and passed in. */
export interface AppDeps {
  config: Config;
  log: Logger;
  version: string;
  metrics: ApiMetrics;
  /** Command connection (caches, sessions, rate limits). */
  redis: Redis;
  buildQueue: BuildQueue;
  bus: EventBus;
  /** This process's claims that it follows builds (orphaned builds are cancelled). */
  followers: FollowerLeases;
  /** The last good image of each ref (`?fallback=last-good`). */
  lastGood: LastGoodStore;
  providers: ProviderRegistry;
  registry: ImageRegistry;
  launcher: Launcher;
  /** Launch quotas (`LaunchQuota.total_quota`, per-repository quotas). */
  quota: LaunchQuota;
  health: HealthChecker;
  builderInfo: () => Promise<Record<string, string>>;
  /** Milliseconds between `:keepalive` comments on event streams (upstream: 25 s). */
  keepaliveMs?: number;
  /** Push-webhook pre-builds (default: built from the rest by the webhook router). */
  prebuilds?: Prebuilds;
  /** Build-token signer/checker shared by the launch page and `/build` (default: from `BinderHub.build_token_*`). */
  buildTokens?: BuildTokens;
  /** Per-IP limiter of `/build` (default: Redis fixed window from `RateLimiter.*`). */
  rateLimiter?: RateLimiter;
  /** Every per-client limit: token requests, launch pages, `/api/builds`, open streams. */
  limits?: ClientLimits;
  /** The web UI's browser bundle (default: bundled on the fly from source, or `dist/ui/`). */
  uiAssets?: UiAssets;
  /** Launch events (`binderhub.jupyter.org/launch`) as JSON lines (default: none written). */
  eventLog?: EventLog;
  /** Warm servers handed to launches (`LaunchPool.*`; absent while no spec is pooled). */
  pool?: LaunchPool;
  /** When images were last launched (read by the registry cleaner). */
  imageUse?: ImageUse;
  /** Deletes images unused for `RegistryCleaner.max_age_days` (absent while it is off). */
  registryCleaner?: RegistryCleaner;
  /** Hub login and sessions (`BinderHub.auth_enabled`; absent otherwise). */
  login?: HubLogin;
  /** Users' own GitHub/GitLab tokens (`GitHubOAuth`/`GitLabOAuth` configured; absent otherwise). */
  userCredentials?: UserCredentials;
}
