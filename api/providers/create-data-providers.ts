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

/** The zenodo, figshare, hydroshare, dataverse, ckan and swhid providers. */
export function createDataProviders(
  config: Config,
  quotas: { perRepo: number; perRepoHigher: number },
  o: DataProviderOptions = {},
): ProviderEntry[] {
  const limits = { ...DATA_REQUEST_LIMITS, ...o.limits };
  const deps = (
    prefix: string,
    name: string,
    headers?: Record<string, string>,
  ): DataProviderDeps => ({
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
  const entry = (
    prefix: string,
    name: string,
    settings: ConstructorParameters<typeof SpecPolicy>[0],
    create: ProviderEntry['create'],
  ): ProviderEntry => ({
    prefix,
    name,
    create,
    policy: new SpecPolicy(settings, quotas),
    displayConfig: DATA_PROVIDER_DISPLAY[prefix]!,
  });
  const { ZenodoProvider: zc, FigshareProvider: fc, HydroshareProvider: hc } = config;
  const { DataverseProvider: dc, CKANProvider: cc, SoftwareHeritageProvider: sc } = config;
  const zenodo = {
    ...deps('zenodo', 'Zenodo'),
    doiResolverUrl: zc.doi_resolver_url,
    hosts: zc.hosts,
  };
  const figshare = {
    ...deps('figshare', 'Figshare'),
    doiResolverUrl: fc.doi_resolver_url,
    apiUrl: fc.api_url,
    hosts: fc.hosts,
    versions: new ConditionalCache<number>(),
  };
  const hydroshare = {
    ...deps('hydroshare', 'Hydroshare'),
    siteUrl: hc.url,
    modified: new ConditionalCache<number>(),
  };
  const dataverse = {
    ...deps('dataverse', 'Dataverse'),
    doiResolverUrl: dc.doi_resolver_url,
    datasets: new ConditionalCache<{ ref: string; doi: string }>(),
  };
  const ckan = { ...deps('ckan', 'CKAN'), modified: new ConditionalCache<number>() };
  const swhid = {
    ...deps(
      'swhid',
      'Software Heritage',
      sc.token ? { authorization: `Bearer ${sc.token}` } : undefined,
    ),
    apiUrl: sc.api_url,
    archiveUrl: swhArchiveUrl(sc.api_url),
  };
  return [
    entry('zenodo', 'Zenodo', zc, (spec) => new ZenodoProvider(spec, zenodo)),
    entry('figshare', 'Figshare', fc, (spec) => new FigshareProvider(spec, figshare)),
    entry('hydroshare', 'Hydroshare', hc, (spec) => new HydroshareProvider(spec, hydroshare)),
    entry('dataverse', 'Dataverse', dc, (spec) => new DataverseProvider(spec, dataverse)),
    entry('ckan', 'CKAN', cc, (spec) => new CkanProvider(spec, ckan)),
    entry('swhid', 'Software Heritage', sc, (spec) => new SwhidProvider(spec, swhid)),
  ];
}
