import type { RepoConfig } from './repo-provider.js';

export interface SpecPolicySettings {
  banned_specs: readonly string[];
  allowed_specs: readonly string[];
  high_quota_specs: readonly string[];
  spec_config: ReadonlyArray<{ pattern: string; config: Record<string, unknown> }>;
}

/** Python's `re.match` with IGNORECASE: anchored at the start only. */
function matchesStart(pattern: string, spec: string): boolean {
  return new RegExp(`^(?:${pattern})`, 'i').test(spec);
}

/**
 * Upstream's per-spec policy: `banned_specs` always wins; a non-empty `allowed_specs`
 * admits only matching specs; `high_quota_specs` and `spec_config` shape the quota.
 */
export class SpecPolicy {
  constructor(
    private readonly s: SpecPolicySettings,
    private readonly quotas: { perRepo: number; perRepoHigher: number },
  ) {}

  isBanned(spec: string): boolean {
    if (this.s.banned_specs.some((p) => matchesStart(p, spec))) return true;
    if (this.s.allowed_specs.length === 0) return false;
    return !this.s.allowed_specs.some((p) => matchesStart(p, spec));
  }

  repoConfig(spec: string): RepoConfig {
    const high = this.s.high_quota_specs.some((p) => matchesStart(p, spec));
    const config: RepoConfig = { quota: high ? this.quotas.perRepoHigher : this.quotas.perRepo };
    for (const item of this.s.spec_config) {
      if (matchesStart(item.pattern, spec)) Object.assign(config, item.config);
    }
    return config;
  }
}
