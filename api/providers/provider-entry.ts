import type { RepoProvider } from './repo-provider.js';
import type { SpecPolicy } from './spec-policy.js';

/** `display_config` served by `/api/repoproviders` (upstream's shape; drives the home page). */
export interface DisplayConfig {
  displayName: string;
  id: string;
  spec: { validateRegex: string };
  detect?: { regex: string };
  repo: { label: string; placeholder: string; urlEncode: boolean };
  ref: { enabled: boolean; default?: string };
}

/** A registered provider prefix: how to build a RepoProvider for a spec, and its policy. */
export interface ProviderEntry {
  prefix: string;
  name: string;
  /** Throws SpecError on a malformed spec. */
  create(spec: string): RepoProvider;
  /**
   * The spec's provider resolving with a user's own token (gh, gl): not shared with
   * other requests, nothing cached beyond the request. Absent for other providers.
   */
  withToken?(spec: string, token: string): RepoProvider;
  policy: SpecPolicy;
  displayConfig: DisplayConfig;
}

export type ProviderRegistry = ReadonlyMap<string, ProviderEntry>;
