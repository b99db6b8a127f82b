import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../../queue/index.js';
import { countRequest } from '../../rate-limit/count-request.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import type { ProviderRegistry } from '../../providers/provider-entry.js';
import type { BuildTokens } from '../../build-token/build-tokens.js';
import { buildTokenAudience } from '../../build-token/build-tokens.js';
import { tokenOrigin } from '../../build-token/token-origin.js';
import type { SiteSettings } from '../html/site-settings.js';
import { renderErrorPage } from '../pages/error-page.js';
import { renderLaunchPage } from '../pages/launch-page.js';
import { sendHtml } from './send-html.js';
import { trimTrailingSlashes } from '../../http/trim-slashes.js';

/** The raw (percent-encoded) spec after `/v2/<provider>/`, trailing `/` removed. */
export function launchPageSpec(path: string, provider: string): string {
  const head = `/v2/${provider}/`;
  const at = path.indexOf(head);
  return trimTrailingSlashes(at >= 0 ? path.slice(at + head.length) : '');
}

/**
 * Upstream's client check: the spec must match the provider's `validateRegex`. Anchored
 * at the start here (upstream's client does not anchor): unanchored, `[^/]+/…` is retried
 * at every position, quadratic in the spec's length; anchored it is linear, and a spec
 * starting with `/` (which no provider accepts) is refused here already.
 */
export function specMatches(validateRegex: string, spec: string): boolean {
  try {
    return new RegExp(`^(?:${validateRegex})`).test(spec);
  } catch {
    return true;
  }
}

export interface LaunchPageDeps {
  site: SiteSettings;
  providers: ProviderRegistry;
  tokens: BuildTokens;
  /** `RateLimiter.launch_page_limit` (none in tests that serve pages without Redis). */
  limiter?: RateLimiter;
  log: Logger;
}

/** Counts the page against the client's limit; answers the 429 page when over it. */
async function refusedOverLimit(deps: LaunchPageDeps, req: Request, res: Response) {
  if (!deps.limiter) return false;
  const refused = await countRequest(deps.limiter, req, 'launch pages', deps.log, res);
  if (!refused) return false;
  res.setHeader('retry-after', String(refused.retryAfter));
  sendHtml(res, 429, renderErrorPage(deps.site, 429, refused.message));
  return true;
}

/**
 * `GET /v2/<provider>/<spec>`: the launch page, with a build token for this spec and
 * origin. An unknown provider is a 404 page and a malformed spec a 400 page (upstream
 * shows the same messages from its single-page app, with HTTP 200). Each page counts
 * against the client's `RateLimiter.launch_page_limit` (429 page when over).
 */
export function launchPageHandler(deps: LaunchPageDeps): RequestHandler {
  return async (req, res) => {
    if (await refusedOverLimit(deps, req, res)) return;
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
