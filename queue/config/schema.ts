import { z } from 'zod';
import { binderHubSection } from './sections/binderhub.js';
import { hubOAuthSection } from './sections/hub-oauth.js';
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
export type ConfigInput = z.input<typeof configSchema>;
