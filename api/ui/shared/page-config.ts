/** What a page tells its script (`window.pageConfig`, upstream's name and keys where they exist). */
export interface PageConfig {
  /** `BinderHub.base_url`: always starts and ends with `/`. */
  baseUrl: string;
  /** `BinderHub.badge_base_url`, or '' to use this page's origin and `baseUrl`. */
  badgeBaseUrl: string;
  binderVersion: string;
  page: 'home' | 'launch' | 'about' | 'error' | 'build-log';
  /** Launch page: the provider prefix (`gh`, `git`, …). */
  providerId?: string;
  /** Launch page: the raw (still percent-encoded) spec after `/v2/<provider>/`. */
  spec?: string;
  /** Launch page: the JWT that exempts `/build` from the per-IP rate limit. */
  buildToken?: string;
  /** Launch page: seconds the build token stays valid from the moment the page was served. */
  buildTokenExpiresIn?: number;
}
