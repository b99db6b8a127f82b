import { z } from 'zod';
import { FigshareSpec } from '../../queue/repo-specs/figshare-spec.js';
import { ConditionalCache } from './conditional-cache.js';
import { fetchMetadata, resolveDoi, type DataProviderDeps } from './data-provider-deps.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface FigshareSettings extends DataProviderDeps {
  doiResolverUrl: string;
  /** `FigshareProvider.api_url` (`https://api.figshare.com/v2/`). */
  apiUrl: string;
  /** `FigshareProvider.hosts`: articles are `<host>articles/…`. */
  hosts: readonly string[];
  /** Latest version per versions URL, revalidated with ETag / Last-Modified. */
  versions: ConditionalCache<number>;
}

// https://docs.figshare.com/#public_article_versions: [{"version": 1, "url": "…"}, …]
const versionsSchema = z.array(z.object({ version: z.number().int().nonnegative() }).loose());

/**
 * `figshare/<DOI>`: the DOI must resolve (upstream: a 404 is an error) to an article on
 * `hosts`; the version is the DOI's own (cached for good), or for a DOI without one the
 * latest the API lists (asked each time, revalidated). The ref is `<id>.v<version>`.
 */
export class FigshareProvider extends FigshareSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: FigshareSettings,
  ) {
    super(spec);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.spec, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const url = await resolveDoi(this.s.http, 'Figshare', this.s.doiResolverUrl, this.spec);
    if (!url) return null;
    if (
      !this.s.hosts.some(
        (h) => url.href.startsWith(`${h}articles/`) || url.href.startsWith(`${h}account/articles/`),
      )
    ) {
      throw new ResolveError(
        `${this.spec} is not a Figshare article: it resolves to ${url.href} (FigshareProvider.hosts: ${this.s.hosts.join(', ')})`,
      );
    }
    if (this.version !== undefined) return { ref: this.refFor(this.version), immutable: true };
    const versionsUrl = new URL(`${this.s.apiUrl}articles/${this.articleId}/versions`);
    const latest = await fetchMetadata(this.s.http, 'Figshare', versionsUrl, {
      schema: versionsSchema,
      pick: (list) => {
        if (list.length === 0) throw new ResolveError(`Article ${this.articleId} has no versions`);
        return Math.max(...list.map((v) => v.version));
      },
      conditional: this.s.versions,
    });
    return latest === null ? null : { ref: this.refFor(latest), immutable: false };
  }
}
