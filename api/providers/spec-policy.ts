import type { RepoConfig } from './repo-provider.js';

export interface SpecPolicySettings {
  banned_specs: readonly string[];
  allowed_specs: readonly string[];
  high_quota_specs: readonly string[];
  spec_config: ReadonlyArray<{ pattern: string; config: Record<string, unknown> }>;
}

/** Python's `re.match` with IGNORECASE: anchored at the start only. */
const compile = (pattern: string) => new RegExp(`^(?:${pattern})`, 'i');

/** A URL with an authority (`scheme://…`), or scp-like ssh (`user@host:`). */
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const SCP_LIKE = /^[^/@:]+@[^/:]+:/;

/** RFC 3986 remove_dot_segments on a path (`.`/`..`, also as `%2e`), `..` never above the top. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const parts = path.split('/');
  parts.forEach((part, i) => {
    const dots = part.replace(/%2e/gi, '.');
    const last = i === parts.length - 1;
    if (dots === '.' || dots === '..') {
      const atRoot = out.length === 0 || (out.length === 1 && out[0] === '');
      if (dots === '..' && !atRoot) out.pop();
      if (last) out.push('');
    } else out.push(part);
  });
  return out.join('/');
}

/** A decoded spec segment as the provider's git/curl will read it (dot segments resolved). */
function normaliseSegment(segment: string): string {
  if (URL_LIKE.test(segment)) {
    try {
      const href = new URL(segment).href;
      // WHATWG adds `/` to an empty path: keep the form a client wrote.
      return href === `${segment}/` ? segment : href;
    } catch {
      return segment;
    }
  }
  if (!segment.includes('/')) return segment;
  const scp = SCP_LIKE.exec(segment);
  if (scp) return `${scp[0]}${removeDotSegments(segment.slice(scp[0].length))}`;
  return removeDotSegments(segment);
}

/** The forms of a raw (percent-encoded) spec that policies are matched against. */
export interface SpecForms {
  /** As requested. */
  raw: string;
  /** Each `/`-separated segment percent-decoded, nothing else changed. */
  decoded: string;
  /** Decoded and normalised (URLs by WHATWG, `..` resolved). */
  normalised: string;
  /** Normalised, each segment encoded as upstream's client encodes it (encodeURIComponent). */
  canonical: string;
}

/** The forms of `raw`; null when it is not correctly percent-encoded. */
export function specForms(raw: string): SpecForms | null {
  let decoded: string[];
  try {
    decoded = raw.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  const normalised = decoded.map(normaliseSegment);
  return {
    raw,
    decoded: decoded.join('/'),
    normalised: normalised.join('/'),
    canonical: normalised.map((s) => encodeURIComponent(s)).join('/'),
  };
}

/**
 * Upstream's per-spec policy: `banned_specs` always wins; a non-empty `allowed_specs`
 * admits only matching specs; `high_quota_specs` and `spec_config` shape the quota.
 *
 * Providers decode the spec, so a pattern must not be escaped by encoding it otherwise
 * (`%65vil-org` for `evil-org`, `my-org%2F..%2Fother-org` for `other-org`): a spec is
 * banned when a pattern matches any of its forms (as requested, decoded, normalised, or
 * canonical — the form upstream's client would have sent, for which operators wrote their
 * patterns); it is admitted, and given quotas, by its canonical form only, which is the
 * same however the spec was encoded. A spec that is not correctly percent-encoded (which
 * every provider refuses) is refused when an allow-list is set.
 */
export class SpecPolicy {
  private readonly banned: RegExp[];
  private readonly allowed: RegExp[];
  private readonly highQuota: RegExp[];
  private readonly configs: Array<{ re: RegExp; config: Record<string, unknown> }>;

  constructor(
    s: SpecPolicySettings,
    private readonly quotas: { perRepo: number; perRepoHigher: number },
  ) {
    this.banned = s.banned_specs.map(compile);
    this.allowed = s.allowed_specs.map(compile);
    this.highQuota = s.high_quota_specs.map(compile);
    this.configs = s.spec_config.map((c) => ({ re: compile(c.pattern), config: c.config }));
  }

  isBanned(spec: string): boolean {
    const forms = specForms(spec);
    const all = forms ? [forms.raw, forms.decoded, forms.normalised, forms.canonical] : [spec];
    if (this.banned.some((re) => all.some((form) => re.test(form)))) return true;
    if (this.allowed.length === 0) return false;
    return !forms || !this.allowed.some((re) => re.test(forms.canonical));
  }

  repoConfig(spec: string): RepoConfig {
    const canonical = specForms(spec)?.canonical ?? spec;
    const high = this.highQuota.some((re) => re.test(canonical));
    const config: RepoConfig = { quota: high ? this.quotas.perRepoHigher : this.quotas.perRepo };
    for (const item of this.configs) {
      if (item.re.test(canonical)) Object.assign(config, item.config);
    }
    return config;
  }
}
