import type { Config } from '../../queue/config/index.js';
import { providerAllowList } from '../../queue/repo-specs/provider-endpoints.js';
import { swhArchiveUrl } from '../../queue/repo-specs/swhid-spec.js';
import type { HostLookup } from '../../queue/url-policy/check-repo-host.js';
import { PrivateHostAllowList } from '../../queue/url-policy/private-host-allow-list.js';
import { CkanProvider } from './ckan-provider.js';
import { ConditionalCache } from './conditional-cache.js';
import type { DataProviderDeps } from './data-provider-deps.js';
import { DATA_PROVIDER_DISPLAY } from './data-provider-display.js';
import { DataverseProvider } from './dataverse-provider.js';
import { FigshareProvider } from './figshare-provider.js';
import { HydroshareProvider } from './hydroshare-provider.js';
import type { ProviderEntry } from './provider-entry.js';
import { ProviderHttp } from './provider-http.js';
import { ResolutionCache, type ResolutionOutcome } from './resolution-cache.js';
import { SpecPolicy } from './spec-policy.js';
import { SwhidProvider } from './swhid-provider.js';
import { ZenodoProvider } from './zenodo-provider.js';

/** Limits of every data provider request (documented in docs/providers.md). */
export const DATA_REQUEST_LIMITS = {
  timeoutMs: 10_000,
  maxBytes: 8 * 1024 * 1024,
  maxRedirects: 5,
  /** How long "not found" is remembered. */
  notFoundMs: 60_000,
};

export interface DataProviderOptions {
  /** DNS for the URL policy (the system resolver by default). */
  lookupHost?: HostLookup;
  /** Each resolution's outcome, by provider display name (the resolution metric). */
  onResolution?: (provider: string, outcome: ResolutionOutcome) => void;
  limits?: Partial<typeof DATA_REQUEST_LIMITS>;
}

type Deps = (headers?: Record<string, string>) => DataProviderDeps;
type DataSection =
  | 'ZenodoProvider'
  | 'FigshareProvider'
  | 'HydroshareProvider'
  | 'DataverseProvider'
  | 'CKANProvider'
  | 'SoftwareHeritageProvider';

/** Each data provider: its prefix, name, config class, and how to make its RepoProviders. */
const DATA_PROVIDERS: Array<{
  prefix: string;
  name: string;
  section: DataSection;
  make: (deps: Deps, config: Config) => ProviderEntry['create'];
}> = [
  {
    prefix: 'zenodo',
    name: 'Zenodo',
    section: 'ZenodoProvider',
    make: (deps, { ZenodoProvider: z }) => {
      const s = { ...deps(), doiResolverUrl: z.doi_resolver_url, hosts: z.hosts };
      return (spec) => new ZenodoProvider(spec, s);
    },
  },
  {
    prefix: 'figshare',
    name: 'Figshare',
    section: 'FigshareProvider',
    make: (deps, { FigshareProvider: f }) => {
      const versions = new ConditionalCache<number>();
      const s = {
        ...deps(),
        doiResolverUrl: f.doi_resolver_url,
        apiUrl: f.api_url,
        hosts: f.hosts,
        versions,
      };
      return (spec) => new FigshareProvider(spec, s);
    },
  },
  {
    prefix: 'hydroshare',
    name: 'Hydroshare',
    section: 'HydroshareProvider',
    make: (deps, { HydroshareProvider: h }) => {
      const s = { ...deps(), siteUrl: h.url, modified: new ConditionalCache<number>() };
      return (spec) => new HydroshareProvider(spec, s);
    },
  },
  {
    prefix: 'dataverse',
    name: 'Dataverse',
    section: 'DataverseProvider',
    make: (deps, { DataverseProvider: d }) => {
      const datasets = new ConditionalCache<{ ref: string; doi: string }>();
      const s = { ...deps(), doiResolverUrl: d.doi_resolver_url, datasets };
      return (spec) => new DataverseProvider(spec, s);
    },
  },
  {
    prefix: 'ckan',
    name: 'CKAN',
    section: 'CKANProvider',
    make: (deps) => {
      const s = { ...deps(), modified: new ConditionalCache<number>() };
      return (spec) => new CkanProvider(spec, s);
    },
  },
  {
    prefix: 'swhid',
    name: 'Software Heritage',
    section: 'SoftwareHeritageProvider',
    make: (deps, { SoftwareHeritageProvider: sh }) => {
      const auth = sh.token ? { authorization: `Bearer ${sh.token}` } : undefined;
      const s = { ...deps(auth), apiUrl: sh.api_url, archiveUrl: swhArchiveUrl(sh.api_url) };
      return (spec) => new SwhidProvider(spec, s);
    },
  },
];

/**
 * The zenodo, figshare, hydroshare, dataverse, ckan and swhid providers, each with its
 * own HTTP client under the URL policy (its configured endpoints allowed), resolution
 * cache and policy from its config class.
 */
export function createDataProviders(
  config: Config,
  quotas: { perRepo: number; perRepoHigher: number },
  o: DataProviderOptions = {},
): ProviderEntry[] {
  const limits = { ...DATA_REQUEST_LIMITS, ...o.limits };
  return DATA_PROVIDERS.map(({ prefix, name, section, make }) => {
    const deps: Deps = (headers) => ({
      http: new ProviderHttp({
        allow: new PrivateHostAllowList(providerAllowList(config, prefix)),
        lookupHost: o.lookupHost,
        timeoutMs: limits.timeoutMs,
        maxBytes: limits.maxBytes,
        maxRedirects: limits.maxRedirects,
        headers,
      }),
      cache: new ResolutionCache({ notFoundMs: limits.notFoundMs }),
      onOutcome: o.onResolution ? (outcome) => o.onResolution!(name, outcome) : undefined,
    });
    return {
      prefix,
      name,
      create: make(deps, config),
      policy: new SpecPolicy(config[section], quotas),
      displayConfig: DATA_PROVIDER_DISPLAY[prefix]!,
    };
  });
}
