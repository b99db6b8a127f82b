import type { Config } from '../../queue/config/index.js';
import { gitHubSite, gitLabSite } from '../../queue/repo-specs/provider-sites.js';
import { repoAccessFor } from '../../queue/repo-specs/repo-access.js';
import type { HostLookup } from '../../queue/url-policy/check-repo-host.js';
import { createDataProviders, type DataProviderOptions } from './create-data-providers.js';
import { GistProvider } from './gist-provider.js';
import { GitHubApi } from './github-api.js';
import { GitHubProvider } from './github-provider.js';
import { GitLabProvider } from './gitlab-provider.js';
import { GitProvider } from './git-provider.js';
import { SharedResolver } from './shared-resolve.js';
import type { DisplayConfig, ProviderEntry, ProviderRegistry } from './provider-entry.js';
import { SpecPolicy } from './spec-policy.js';

export interface ProviderDeps {
  fetch?: typeof fetch;
  onGitHubRateLimit?: (remaining: number) => void;
  /** DNS for the URL policy (the system resolver by default). */
  lookupHost?: HostLookup;
  /** Each data provider resolution's outcome (the resolution metric). */
  onResolution?: DataProviderOptions['onResolution'];
  /** Data provider request limits (tests shorten the time limit). */
  dataLimits?: DataProviderOptions['limits'];
}

const DISPLAY: Record<string, DisplayConfig> = {
  gh: {
    displayName: 'GitHub',
    id: 'gh',
    spec: { validateRegex: '[^/]+/[^/]+/.+' },
    detect: { regex: '^(https?://github.com/)?(?<repo>.*[^/])/?' },
    repo: {
      label: 'GitHub repository name or URL',
      placeholder:
        'example: binder-examples/requirements or https://github.com/binder-examples/requirements',
      urlEncode: false,
    },
    ref: { enabled: true, default: 'HEAD' },
  },
  gist: {
    displayName: 'Gist',
    id: 'gist',
    spec: { validateRegex: '[^/]+/[^/]+(/[^/]+)?' },
    repo: {
      label: 'Gist ID (username/gistId) or URL',
      placeholder: 'example: username/gistId',
      urlEncode: false,
    },
    ref: { enabled: true, default: 'HEAD' },
  },
  gl: {
    displayName: 'GitLab.com',
    id: 'gl',
    spec: { validateRegex: '[^/]+/.+' },
    repo: {
      label: 'GitLab.com repository or URL',
      placeholder: 'example: group/project',
      urlEncode: true,
    },
    ref: { enabled: true, default: 'HEAD' },
  },
  git: {
    displayName: 'Git repository',
    id: 'git',
    spec: { validateRegex: '[^/]+/.+' },
    repo: {
      label: 'Arbitrary git repository URL',
      placeholder: 'example: https://example.com/org/repo.git',
      urlEncode: true,
    },
    ref: { enabled: true, default: 'HEAD' },
  },
};

/**
 * The registered providers — gh, gist, gl, git, then zenodo, figshare, hydroshare,
 * dataverse, ckan (upstream's order) and swhid — each with its policy from its config class.
 */
export function createProviders(config: Config, deps: ProviderDeps = {}): ProviderRegistry {
  const fetchImpl = deps.fetch ?? fetch;
  const quotas = {
    perRepo: config.BinderHub.per_repo_quota,
    perRepoHigher: config.BinderHub.per_repo_quota_higher,
  };
  const gh = config.GitHubRepoProvider;
  const ghApi = (token?: string) =>
    new GitHubApi({
      hostname: gh.hostname,
      apiBasePath: gh.api_base_path,
      accessToken: token ?? gh.access_token,
      clientId: token ? '' : gh.client_id,
      clientSecret: token ? '' : gh.client_secret,
      fetch: deps.fetch,
      onRateLimitRemaining: deps.onGitHubRateLimit,
    });
  const api = ghApi();
  const ghSite = gitHubSite(config);
  const gl = config.GitLabRepoProvider;
  const glSettings = {
    hostname: gl.hostname,
    accessToken: gl.access_token,
    privateToken: gl.private_token,
    site: gitLabSite(config),
    fetch: fetchImpl,
  };
  const git = config.GitRepoProvider;
  const shared = new SharedResolver();
  const entries: ProviderEntry[] = [
    {
      prefix: 'gh',
      name: 'GitHub',
      create: (spec) => new GitHubProvider(spec, api, gh.hostname, ghSite),
      withToken: (spec, token) => new GitHubProvider(spec, ghApi(token), gh.hostname, ghSite),
      policy: new SpecPolicy(gh, quotas),
      displayConfig: DISPLAY.gh!,
    },
    {
      prefix: 'gist',
      name: 'Gist',
      create: (spec) => new GistProvider(spec, api, config.GistRepoProvider.allow_secret_gist),
      policy: new SpecPolicy(config.GistRepoProvider, quotas),
      displayConfig: DISPLAY.gist!,
    },
    {
      prefix: 'gl',
      name: 'GitLab',
      create: (spec) => new GitLabProvider(spec, glSettings),
      withToken: (spec, token) =>
        new GitLabProvider(spec, {
          ...glSettings,
          accessToken: '',
          privateToken: '',
          bearer: token,
        }),
      policy: new SpecPolicy(gl, quotas),
      displayConfig: {
        ...DISPLAY.gl!,
        displayName: gl.hostname === 'gitlab.com' ? 'GitLab.com' : gl.hostname,
      },
    },
    {
      prefix: 'git',
      name: 'Git',
      create: (spec) =>
        new GitProvider(spec, {
          allowedProtocols: git.allowed_protocols,
          timeoutMs: git.ls_remote_timeout * 1000,
          access: (s) => repoAccessFor(config, s, deps.lookupHost),
        }),
      policy: new SpecPolicy(git, quotas),
      displayConfig: DISPLAY.git!,
    },
    ...createDataProviders(config, quotas, {
      lookupHost: deps.lookupHost,
      onResolution: deps.onResolution,
      limits: deps.dataLimits,
    }),
  ];
  // Simultaneous launches of one spec resolve it once.
  for (const e of entries) {
    const create = e.create;
    e.create = (spec) => shared.wrap(`${e.prefix}/${spec}`, create(spec));
  }
  return new Map(entries.map((e) => [e.prefix, e]));
}
