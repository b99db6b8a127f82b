import type { RequestHandler } from 'express';
import type { ProviderRegistry } from '../../providers/provider-entry.js';
import type { BuildTokens } from '../../build-token/build-tokens.js';
import { buildTokenAudience } from '../../build-token/build-tokens.js';
import { tokenOrigin } from '../../build-token/token-origin.js';
import type { SiteSettings } from '../html/site-settings.js';
import { renderErrorPage } from '../pages/error-page.js';
import { renderLaunchPage } from '../pages/launch-page.js';
import { sendHtml } from './send-html.js';

/** The raw (percent-encoded) spec after `/v2/<provider>/`, trailing `/` removed. */
export function launchPageSpec(path: string, provider: string): string {
  const head = `/v2/${provider}/`;
  const at = path.indexOf(head);
  return (at >= 0 ? path.slice(at + head.length) : '').replace(/\/+$/, '');
}

/** Upstream's client check: the spec must match the provider's `validateRegex` (unanchored). */
export function specMatches(validateRegex: string, spec: string): boolean {
  try {
    return new RegExp(validateRegex).test(spec);
  } catch {
    return true;
  }
}

/**
 * `GET /v2/<provider>/<spec>`: the launch page, with a build token for this spec and
 * origin. An unknown provider is a 404 page and a malformed spec a 400 page (upstream
 * shows the same messages from its single-page app, with HTTP 200).
 */
export function launchPageHandler(deps: {
  site: SiteSettings;
  providers: ProviderRegistry;
  tokens: BuildTokens;
}): RequestHandler {
  return async (req, res) => {
    const prefix = req.params.provider as string;
    const entry = deps.providers.get(prefix);
    if (!entry) {
      return sendHtml(
        res,
        404,
        renderErrorPage(deps.site, 404, `No provider found for prefix ${prefix}`),
      );
    }
    const spec = launchPageSpec(req.path, prefix);
    const validate = entry.displayConfig.spec.validateRegex;
    if (!specMatches(validate, spec)) {
      const message = `Spec for this provider should match ${validate}, provided: "${spec}".`;
      return sendHtml(res, 400, renderErrorPage(deps.site, 400, message));
    }
    const buildToken = await deps.tokens.mint(
      buildTokenAudience(prefix, spec),
      tokenOrigin(req.headers),
    );
    const page = renderLaunchPage(deps.site, {
      providerId: prefix,
      providerName: entry.displayConfig.displayName,
      spec,
      buildToken,
      buildTokenExpiresIn: deps.tokens.expiresSeconds,
    });
    res.setHeader('cache-control', 'no-store');
    sendHtml(res, 200, page);
  };
}
