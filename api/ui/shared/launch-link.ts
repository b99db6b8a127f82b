/** The part of a provider's `display_config` that shapes links. */
export interface LinkProvider {
  id: string;
  repo: { urlEncode: boolean };
  ref: { enabled: boolean; default?: string };
}

/**
 * The public base of links and badges: `badge_base_url` when configured, else `base_url`
 * on the page's own origin. Always ends with `/`, so relative paths resolve under it.
 */
export function publicBaseUrl(badgeBaseUrl: string, baseUrl: string, pageUrl: string): string {
  const base = badgeBaseUrl ? new URL(badgeBaseUrl) : new URL(baseUrl, pageUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base.toString();
}

/** The ref a link uses: none for providers without refs, else the one typed or the default. */
export function effectiveRef(provider: LinkProvider, typedRef: string): string {
  if (!provider.ref.enabled) return '';
  return typedRef.trim() || (provider.ref.default ?? '');
}

/**
 * The shareable launch link (upstream's `makeShareableUrl`): `<base>v2/<id>/<repo>/<ref>`,
 * the repository percent-encoded for providers with `urlEncode`, and `?urlpath=` when a
 * path is given. Null until the form is complete (repository, and a ref when refs are on).
 */
export function launchLink(
  base: string,
  provider: LinkProvider,
  repo: string,
  typedRef: string,
  urlPath: string,
): string | null {
  const repository = repo.trim();
  const ref = effectiveRef(provider, typedRef);
  if (!repository || (provider.ref.enabled && !ref)) return null;
  const encodedRepo = provider.repo.urlEncode ? encodeURIComponent(repository) : repository;
  const url = new URL(`v2/${provider.id}/${encodedRepo}/${ref}`, base);
  if (urlPath) url.searchParams.set('urlpath', urlPath);
  return url.toString();
}

export type PathKind = 'file' | 'url';

/** `urlpath` for the home page's optional path: a file opens in JupyterLab (`/doc/tree/…`). */
export function urlPathFor(kind: PathKind, path: string): string {
  const value = path.trim();
  if (!value) return '';
  return kind === 'file' ? `/doc/tree/${value.replace(/^\/+/, '')}` : value;
}
