import { NameGlobs } from './name-glob.js';
import { splitRef, type PushNotice } from './push-notice.js';

/** What an operator configured: which refs and repositories get pre-built. */
export interface PrebuildRules {
  buildDefaultBranch: boolean;
  branches: NameGlobs;
  tags: NameGlobs;
  allowedRepos: NameGlobs;
  optOutRepos: NameGlobs;
  /** The provider's `banned_specs` / `allowed_specs` policy, given a spec `repo/ref`. */
  isBanned(spec: string): boolean;
  /** Spec of the repository at a (short) ref, as a launch would write it. */
  specFor(repo: string, refName: string): string;
  /** Config class names, for messages: `GitHubWebhook`, `GitHubRepoProvider`. */
  webhookClass: string;
  providerClass: string;
}

export interface RuleSettings {
  build_default_branch: boolean;
  branch_patterns: readonly string[];
  tag_patterns: readonly string[];
  allowed_repos: readonly string[];
  opt_out_repos: readonly string[];
}

export function prebuildRules(
  s: RuleSettings,
  extra: Pick<PrebuildRules, 'isBanned' | 'specFor' | 'webhookClass' | 'providerClass'>,
): PrebuildRules {
  return {
    buildDefaultBranch: s.build_default_branch,
    branches: new NameGlobs(s.branch_patterns),
    tags: new NameGlobs(s.tag_patterns),
    allowedRepos: new NameGlobs(s.allowed_repos, true),
    optOutRepos: new NameGlobs(s.opt_out_repos, true),
    ...extra,
  };
}

export type Decision = { build: true } | { build: false; reason: string };

function refDecision(n: PushNotice, r: PrebuildRules): Decision {
  const parts = splitRef(n.ref);
  if (!parts) return { build: false, reason: `ref ${n.ref} is neither a branch nor a tag` };
  if (parts.kind === 'tag') {
    if (r.tags.matches(parts.name)) return { build: true };
    return { build: false, reason: `tag ${parts.name} matches no ${r.webhookClass}.tag_patterns` };
  }
  if (r.buildDefaultBranch && parts.name === n.defaultBranch) return { build: true };
  if (r.branches.matches(parts.name)) return { build: true };
  const notDefault = r.buildDefaultBranch
    ? `is not the default branch (${n.defaultBranch}) and `
    : '';
  return {
    build: false,
    reason: `branch ${parts.name} ${notDefault}matches no ${r.webhookClass}.branch_patterns`,
  };
}

/** Should this push be pre-built? Pure: the notice and the rules decide. */
export function decidePrebuild(n: PushNotice, r: PrebuildRules): Decision {
  if (n.deleted) return { build: false, reason: `${n.ref} was deleted` };
  const byRef = refDecision(n, r);
  if (!byRef.build) return byRef;
  if (!r.allowedRepos.empty && !r.allowedRepos.matches(n.repo)) {
    return { build: false, reason: `${n.repo} is not in ${r.webhookClass}.allowed_repos` };
  }
  if (r.optOutRepos.matches(n.repo)) {
    return { build: false, reason: `${n.repo} opted out (${r.webhookClass}.opt_out_repos)` };
  }
  const refName = splitRef(n.ref)!.name;
  if (r.isBanned(r.specFor(n.repo, refName))) {
    return {
      build: false,
      reason: `${n.repo} is not allowed to build (${r.providerClass}.banned_specs / allowed_specs)`,
    };
  }
  return { build: true };
}
