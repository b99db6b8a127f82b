import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { keyNames } from '../../queue/index.js';
import { acceptsEventStream } from '../http/accepts-event-stream.js';
import type { RateLimiter, RateLimitState } from '../rate-limit/rate-limiter.js';
import { RedisRateLimiter } from '../rate-limit/redis-rate-limiter.js';
import { buildTokensFor, type BuildTokenDeps } from './build-tokens-for.js';
import { buildTokenAudience, InvalidBuildTokenError } from './build-tokens.js';
import { tokenOrigin } from './token-origin.js';

export interface GuardDeps extends BuildTokenDeps {
  redis: Redis;
  /** Shared limiter, when the wiring made one; else a RedisRateLimiter from `RateLimiter.*`. */
  rateLimiter?: RateLimiter;
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
export type BuildRequestGuard = (req: Request, res?: Response) => Promise<GuardDenial | null>;

/** `/build/<provider>/<raw spec>` from a request path (still percent-encoded). */
function buildTarget(path: string): { provider: string; spec: string } | null {
  const m = /(?:^|\/)build\/([^/]+)\/(.*)$/.exec(path);
  return m ? { provider: m[1]!, spec: m[2]! } : null;
}

function queryString(value: unknown): string {
  if (Array.isArray(value)) return queryString(value[0]);
  return typeof value === 'string' ? value : '';
}

function setRateLimitHeaders(res: Response | undefined, state: RateLimitState): void {
  if (!res || res.headersSent) return;
  res.setHeader('x-ratelimit-remaining', String(Math.max(0, state.remaining)));
  res.setHeader('x-ratelimit-reset', String(state.reset));
  res.setHeader('x-ratelimit-limit', String(state.limit));
}

/**
 * Upstream's `check_build_token` + `check_rate_limit`: a `build_token` that is present
 * must be valid (signature, expiry, audience `<provider>/<spec>`, and origin when
 * `build_token_check_origin`), else 403 "Invalid build token". A valid token skips the
 * per-IP fixed-window rate limit; other requests count against it and get 429 once over.
 * When Redis cannot count, the request is let through (and logged): the limiter protects
 * capacity, it must not take the service down with it.
 */
export function buildRequestGuard(deps: GuardDeps): BuildRequestGuard {
  const tokens = buildTokensFor(deps);
  const limiter =
    deps.rateLimiter ??
    new RedisRateLimiter(deps.redis, keyNames(deps.config.Redis.key_prefix), {
      limit: deps.config.RateLimiter.limit,
      periodSeconds: deps.config.RateLimiter.period_seconds,
    });
  const log = deps.log.child({ component: 'build-guard' });

  return async (req, res) => {
    // The route answers a missing Accept header itself; such requests count for nothing.
    if (!acceptsEventStream(req.get('accept'))) return null;
    const target = buildTarget(req.path);
    const token = queryString(req.query.build_token);
    if (token) {
      try {
        if (!target) throw new InvalidBuildTokenError('not a /build path');
        const audience = buildTokenAudience(target.provider, target.spec);
        await tokens.verify(token, audience, tokenOrigin(req.headers));
        return null;
      } catch (err) {
        if (!(err instanceof InvalidBuildTokenError)) throw err;
        log.info({ path: req.path, reason: err.message }, 'invalid build token');
        return { status_code: 403, message: 'Invalid build token' };
      }
    }
    if (!limiter.enabled) return null;
    let state: RateLimitState;
    try {
      state = await limiter.increment(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rate limit not checked: Redis error');
      return null;
    }
    setRateLimitHeaders(res, state);
    if (state.remaining >= 0) return null;
    log.info({ ip: req.ip, over: -state.remaining }, 'rate limit exceeded');
    return {
      status_code: 429,
      message: `Rate limit exceeded. Try again in ${state.retryAfter} seconds.`,
    };
  };
}
