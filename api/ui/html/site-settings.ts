import { userCredentialsEnabled, type Config } from '../../../queue/config/index.js';

/** Operator customisation and identity shared by every page. */
export interface SiteSettings {
  /** `BinderHub.base_url` (`/…/`). */
  baseUrl: string;
  badgeBaseUrl: string;
  version: string;
  /** Trusted HTML from `BinderHub.banner_message`. */
  bannerHtml: string;
  /** Trusted HTML from `BinderHub.about_message`. */
  aboutHtml: string;
  defaultOgTitle: string;
  /** `BinderHub.extra_header_html` values, sorted by key. */
  extraHeaderHtml: string[];
  /** `BinderHub.extra_footer_scripts` values, sorted by key (each wrapped in `<script>`). */
  extraFooterScripts: string[];
  /** Send `no-cache` for static assets (bundled on the fly when running from source). */
  devAssets: boolean;
  /** The logged-in hub user of this request (`BinderHub.auth_enabled`), shown with a log-out link. */
  user?: string;
  /** Users may connect their GitHub/GitLab accounts (`auth/connections` is linked in the header). */
  accountConnections?: boolean;
}

function sortedValues(dict: Record<string, string>): string[] {
  return Object.keys(dict)
    .sort()
    .map((k) => dict[k]!);
}

export function siteSettings(config: Config, version: string, devAssets: boolean): SiteSettings {
  const hub = config.BinderHub;
  return {
    baseUrl: hub.base_url,
    badgeBaseUrl: hub.badge_base_url,
    version,
    bannerHtml: hub.banner_message,
    aboutHtml: hub.about_message,
    defaultOgTitle: hub.default_opengraph_title,
    extraHeaderHtml: sortedValues(hub.extra_header_html),
    extraFooterScripts: sortedValues(hub.extra_footer_scripts),
    devAssets,
    ...(userCredentialsEnabled(config) && hub.auth_enabled ? { accountConnections: true } : {}),
  };
}
