import type { Request, Response } from 'express';
import type { BuildPath } from '../builds/build-path.js';
import { acceptsEventStream } from '../http/accepts-event-stream.js';
import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import type { ClientLimits } from '../rate-limit/client-limits.js';
import { countRequest, countUserRequest } from '../rate-limit/count-request.js';
import { buildTokenAudience, InvalidBuildTokenError, type BuildTokens } from './build-tokens.js';
import { tokenOrigin } from './token-origin.js';

export interface GuardDeps {
  config: Config;
  log: Logger;
  /** Checks build tokens (the launch page mints them with the same key). */
  buildTokens: BuildTokens;
  /** Every client limit (`RateLimiter.*`). */
  limits: ClientLimits;
}

/** Why `/build` refuses a request: sent as the stream's single `failed` event. */
export interface GuardDenial {
  status_code: number;
  message: string;
}

/**
 * Checks a `/build` request before its event stream opens (so that the `x-ratelimit-*`
 * headers can still be set on `res`, when given). Requests without
 * `Accept: text/event-stream` pass untouched: the route refuses them with its own 400.
 */
export type BuildRequestGuard = (
  req: Request,
  /** The request's `/build` path, as the route parsed it: the token's audience. */
  target: BuildPath,
  res?: Response,
  /** The logged-in hub user (`BinderHub.auth_enabled`): counted per user, not per address. */
  user?: string,
) => Promise<GuardDenial | null>;

function queryString(value: unknown): string {
  if (Array.isArray(value)) return queryString(value[0]);
  return typeof value === 'string' ? value : '';
}

/**
 * Upstream's `check_build_token` + `check_rate_limit`: a `build_token` that is present
 * must be valid (signature, expiry, audience `<provider>/<spec>`, and origin when
 * `build_token_check_origin`), else 403 "Invalid build token". Requests without a token
 * count against `RateLimiter.limit` (with `x-ratelimit-*` headers, as upstream); a valid
 * token does not exempt a request (upstream's hole) but counts against the higher
 * `RateLimiter.build_token_limit`. Both per client address (see `clientKey`).
 */
export function buildRequestGuard(deps: GuardDeps): BuildRequestGuard {
  const tokens = deps.buildTokens;
  const limits = deps.limits;
  const withoutToken = limits.build;
  const log = deps.log.child({ component: 'build-guard' });

  return async (req, target, res, user) => {
    // The route answers a missing Accept header itself; such requests count for nothing.
    if (!acceptsEventStream(req.get('accept'))) return null;
    const token = queryString(req.query.build_token);
    if (!token && user) return countUserRequest(limits.user, user, req, log, res);
    if (!token) return countRequest(withoutToken, req, 'launches without a build token', log, res);
    try {
      const audience = buildTokenAudience(target.prefix, target.spec);
      await tokens.verify(token, audience, tokenOrigin(req.headers));
    } catch (err) {
      if (!(err instanceof InvalidBuildTokenError)) throw err;
      log.info({ path: req.path, reason: err.message }, 'invalid build token');
      return { status_code: 403, message: 'Invalid build token' };
    }
    if (user) return countUserRequest(limits.user, user, req, log, res);
    return countRequest(limits.buildToken, req, 'launches with a build token', log);
  };
}
