import type { Config } from '../config/index.js';
import type { JobToken } from '../credentials/job-token.js';
import { BLOCKED_RANGES } from '../url-policy/blocked-address.js';
import { checkRepoHost, type HostLookup } from '../url-policy/check-repo-host.js';
import { gitEnv } from '../url-policy/git-access.js';
import { parseHostEntry } from '../url-policy/host-entry.js';
import { parseCidr, PrivateHostAllowList } from '../url-policy/private-host-allow-list.js';
import { providerAllowList } from './provider-endpoints.js';
import { repoAccessFor } from './repo-access.js';
import type { RepoSpec } from './repo-spec.js';

/** The variable that tells repo2docker's configuration (content-provider-config) what to fetch. */
export const CONTENT_PROVIDER_ENV = 'BINDERHUB_CONTENT_PROVIDER';

/** How repo2docker gets one job's repository. */
export interface ContentAccess {
  /** repo2docker's positional argument: the checked clone URL (git), else the DOI, URL or SWHID. */
  repo: string;
  /** repo2docker's environment: CONTENT_PROVIDER_ENV, plus git's settings and credentials. */
  env: Record<string, string>;
}

/** The address check every connection of the build makes (the URL policy, for repo2docker's Python). */
export interface AddressGuard {
  blocked: string[];
  /** `[host, port or null]`: may use private addresses. */
  allowedHosts: Array<[string, number | null]>;
  allowedNets: string[];
}

export function addressGuard(entries: readonly string[]): AddressGuard {
  const guard: AddressGuard = {
    blocked: BLOCKED_RANGES.map(([net, bits]) => `${net}/${bits}`),
    allowedHosts: [],
    allowedNets: [],
  };
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (cidr) guard.allowedNets.push(`${cidr.net}/${cidr.bits}`);
    const host = cidr ? undefined : parseHostEntry(entry);
    if (host) guard.allowedHosts.push([host.host, host.port ?? null]);
  }
  return guard;
}

/** What repo2docker's content provider needs besides the repository argument. */
function endpoints(config: Config, spec: RepoSpec): Record<string, unknown> {
  switch (spec.contentProvider) {
    case 'zenodo':
      return {
        doiResolver: config.ZenodoProvider.doi_resolver_url,
        hosts: config.ZenodoProvider.hosts,
      };
    case 'figshare': {
      const f = config.FigshareProvider;
      return { doiResolver: f.doi_resolver_url, apiUrl: f.api_url, hosts: f.hosts };
    }
    case 'dataverse':
      return { doiResolver: config.DataverseProvider.doi_resolver_url };
    case 'hydroshare':
      return { siteUrl: config.HydroshareProvider.url };
    case 'swhid': {
      const s = config.SoftwareHeritageProvider;
      return { apiUrl: s.api_url, ...(s.token ? { token: s.token } : {}) };
    }
    default:
      return {};
  }
}

/** The first URL a build of a data repository requests (the DOI resolver, the site, the API). */
function firstUrl(config: Config, spec: RepoSpec): URL {
  const settings = endpoints(config, spec);
  if (typeof settings.doiResolver === 'string')
    return new URL(`${settings.doiResolver}${spec.repoUrl()}`);
  if (typeof settings.apiUrl === 'string') return new URL(settings.apiUrl);
  return new URL(spec.repoUrl());
}

/**
 * How repo2docker may get the job's repository at `ref`, after checking the host it
 * contacts first under the URL policy (throws UrlPolicyError): for git, the pinned
 * access of `repoAccessFor`; for data repositories, the DOI, URL or SWHID (for Software
 * Heritage the resolved directory itself). Either way repo2docker runs with exactly the
 * job's content provider and checks every address it connects to (the guard). `user`:
 * the launching user's own token, for git only (scoped to the repository's host).
 */
export async function contentAccessFor(
  config: Config,
  spec: RepoSpec,
  ref: string,
  lookupHost?: HostLookup,
  user?: JobToken,
): Promise<ContentAccess> {
  const allow = providerAllowList(config, spec.prefix);
  const settings = {
    provider: spec.contentProvider,
    guard: addressGuard(allow),
    ...endpoints(config, spec),
  };
  const env = { [CONTENT_PROVIDER_ENV]: JSON.stringify(settings) };
  if (spec.contentProvider === 'git') {
    const git = await repoAccessFor(config, spec, lookupHost, user);
    return { repo: git.cloneUrl, env: { ...gitEnv(git), ...env } };
  }
  await checkRepoHost(firstUrl(config, spec), new PrivateHostAllowList(allow), lookupHost);
  return { repo: spec.contentProvider === 'swhid' ? spec.resolvedSpec(ref) : spec.repoUrl(), env };
}
