import { z } from 'zod';
import { binderHubSection } from './sections/binderhub.js';
import { hubOAuthSection } from './sections/hub-oauth.js';
import {
  gitHubOAuthSection,
  gitLabOAuthSection,
  userCredentialsSection,
  type OAuthAppConfig,
  type UserCredentialsConfig,
} from './sections/user-credentials.js';
import { parseEncryptionKey } from '../credentials/sealed-box.js';
import { launcherSection, launchQuotaSection, rateLimiterSection } from './sections/launch.js';
import { launchPoolSection, poolEnabled } from './sections/launch-pool.js';
import { dockerRegistrySection, registryCleanerSection } from './sections/registry.js';
import {
  gistProviderSection,
  gitHubProviderSection,
  gitLabProviderSection,
  gitProviderSection,
} from './sections/providers.js';
import {
  ckanProviderSection,
  dataverseProviderSection,
  figshareProviderSection,
  hydroshareProviderSection,
  softwareHeritageProviderSection,
  zenodoProviderSection,
} from './sections/data-providers.js';
import {
  buildExecutorSection,
  buildQueueSection,
  dockerBuildExecutorSection,
  redisSection,
  runnerSection,
} from './sections/infrastructure.js';
import { fakeBuildExecutorSection } from './sections/fake-build-executor.js';
import { kubernetesBuildExecutorSection, kubernetesCleanerSection } from './sections/kubernetes.js';
import {
  gitHubWebhookSection,
  gitLabWebhookSection,
  prebuildApiSection,
} from './sections/webhook.js';
import { dashboardSection, eventLogSection, healthSection } from './sections/operator.js';

const section = <T extends z.ZodType>(schema: T) => schema.prefault({} as never);

/**
 * The whole configuration: one object per upstream class (`ClassName.trait_name`),
 * plus the classes this implementation adds. Unknown classes and traits are errors.
 */
export const configSchema = z
  .object({
    BinderHub: section(binderHubSection),
    HubOAuth: section(hubOAuthSection),
    UserCredentials: section(userCredentialsSection),
    GitHubOAuth: section(gitHubOAuthSection),
    GitLabOAuth: section(gitLabOAuthSection),
    Launcher: section(launcherSection),
    LaunchQuota: section(launchQuotaSection),
    RateLimiter: section(rateLimiterSection),
    LaunchPool: section(launchPoolSection),
    DockerRegistry: section(dockerRegistrySection),
    RegistryCleaner: section(registryCleanerSection),
    GitHubRepoProvider: section(gitHubProviderSection),
    GistRepoProvider: section(gistProviderSection),
    GitLabRepoProvider: section(gitLabProviderSection),
    GitRepoProvider: section(gitProviderSection),
    ZenodoProvider: section(zenodoProviderSection),
    FigshareProvider: section(figshareProviderSection),
    HydroshareProvider: section(hydroshareProviderSection),
    DataverseProvider: section(dataverseProviderSection),
    CKANProvider: section(ckanProviderSection),
    SoftwareHeritageProvider: section(softwareHeritageProviderSection),
    Redis: section(redisSection),
    BuildQueue: section(buildQueueSection),
    BuildExecutor: section(buildExecutorSection),
    Runner: section(runnerSection),
    DockerBuildExecutor: section(dockerBuildExecutorSection),
    KubernetesBuildExecutor: section(kubernetesBuildExecutorSection),
    FakeBuildExecutor: section(fakeBuildExecutorSection),
    KubernetesCleaner: section(kubernetesCleanerSection),
    GitHubWebhook: section(gitHubWebhookSection),
    GitLabWebhook: section(gitLabWebhookSection),
    PrebuildApi: section(prebuildApiSection),
    Dashboard: section(dashboardSection),
    EventLog: section(eventLogSection),
    Health: section(healthSection),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.BinderHub.auth_enabled) {
      // hub_api_token (the OAuth client secret) often comes from the environment of the
      // api alone: the api checks it when it starts (createHubLogin).
      if (!c.BinderHub.hub_url) {
        ctx.addIssue({
          code: 'custom',
          path: ['BinderHub', 'hub_url'],
          message: 'is required with BinderHub.auth_enabled (the hub is the OAuth provider)',
        });
      }
    }
    userCredentialsIssues(c).forEach((issue) => ctx.addIssue({ code: 'custom', ...issue }));
    // Pooled servers belong to temporary users: with hub login, each server is the user's.
    if (c.BinderHub.auth_enabled && poolEnabled(c.LaunchPool)) {
      ctx.addIssue({
        code: 'custom',
        path: ['LaunchPool', 'specs'],
        message:
          'warm pools start servers for temporary users; turn them off with BinderHub.auth_enabled',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

interface Sections {
  BinderHub: { auth_enabled: boolean };
  UserCredentials: UserCredentialsConfig;
  GitHubOAuth: OAuthAppConfig;
  GitLabOAuth: OAuthAppConfig;
}

/** Users may connect their own GitHub/GitLab accounts (an OAuth app is configured). */
export function userCredentialsEnabled(c: Pick<Sections, 'GitHubOAuth' | 'GitLabOAuth'>): boolean {
  return c.GitHubOAuth.client_id !== '' || c.GitLabOAuth.client_id !== '';
}

/** Users' own credentials need hub login, and a key to seal their tokens with. */
function userCredentialsIssues(c: Sections): Array<{ path: string[]; message: string }> {
  if (!userCredentialsEnabled(c)) return [];
  const issues: Array<{ path: string[]; message: string }> = [];
  if (!c.BinderHub.auth_enabled) {
    issues.push({
      path: ['BinderHub', 'auth_enabled'],
      message:
        'must be true when GitHubOAuth.client_id or GitLabOAuth.client_id is set (users connect their own accounts once logged in)',
    });
  }
  if (!parseEncryptionKey(c.UserCredentials.encryption_key)) {
    issues.push({
      path: ['UserCredentials', 'encryption_key'],
      message: `${c.UserCredentials.encryption_key ? 'is not' : 'is required and must be'} 32 random bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`) when users connect their own GitHub/GitLab accounts; api and runners need the same key`,
    });
  }
  for (const [cls, app] of [
    ['GitHubOAuth', c.GitHubOAuth],
    ['GitLabOAuth', c.GitLabOAuth],
  ] as const) {
    if (app.client_id && !app.client_secret)
      issues.push({ path: [cls, 'client_secret'], message: `is required with ${cls}.client_id` });
  }
  return issues;
}
export type ConfigInput = z.input<typeof configSchema>;
