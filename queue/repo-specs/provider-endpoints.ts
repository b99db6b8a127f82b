import type { Config } from '../config/index.js';
import { bareHostname, effectivePort } from '../url-policy/default-port.js';

/**
 * The endpoints the operator configured for a provider (DOI resolver, API, sites). The
 * api and the build contact them; like the GitHub and GitLab hosts they come from the
 * configuration, so they are allowed even on private addresses (a stand-in, a mirror).
 */
export function providerEndpoints(config: Config, prefix: string): string[] {
  switch (prefix) {
    case 'zenodo':
      return [config.ZenodoProvider.doi_resolver_url, ...config.ZenodoProvider.hosts];
    case 'figshare': {
      const f = config.FigshareProvider;
      return [f.doi_resolver_url, f.api_url, ...f.hosts];
    }
    case 'hydroshare':
      return [config.HydroshareProvider.url];
    case 'dataverse':
      return [config.DataverseProvider.doi_resolver_url];
    case 'swhid':
      return [config.SoftwareHeritageProvider.api_url];
    default:
      return [];
  }
}

/** `host:port` (IPv6 in brackets) of a URL: an allow-list entry for exactly that endpoint. */
export function endpointEntry(url: string): string {
  const u = new URL(url);
  const host = bareHostname(u);
  return `${host.includes(':') ? `[${host}]` : host}:${effectivePort(u)}`;
}

/**
 * The private-address exceptions for a provider's requests and builds:
 * `GitRepoProvider.allowed_private_hosts` plus the provider's configured endpoints.
 */
export function providerAllowList(config: Config, prefix: string): string[] {
  return [
    ...config.GitRepoProvider.allowed_private_hosts,
    ...providerEndpoints(config, prefix).map(endpointEntry),
  ];
}
