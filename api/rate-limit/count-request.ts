import type { Request, Response } from 'express';
import type { Logger } from '../../queue/index.js';
import { clientAddress, clientKey } from '../http/client-address.js';
import type { RateLimiter, RateLimitState } from './rate-limiter.js';

/** A request over one of this Binder's limits: the status and message to answer with. */
export interface LimitRefusal {
  status_code: 429;
  message: string;
  retryAfter: number;
}

/**
 * "this Binder (host)": the 429s must not be mistaken for GitHub's rate limit. The host
 * is the request's `Host`, shown only when it looks like one.
 */
export function thisBinder(req: Request): string {
  const host = req.get('host') ?? '';
  return /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `this Binder (${host})` : 'this Binder';
}

/** The 429 message: whose limit, what it counts, and when to come back. */
export function limitMessage(
  req: Request,
  what: string,
  state: Pick<RateLimitState, 'limit' | 'retryAfter'>,
  periodSeconds: number,
): string {
  return `Rate limit of ${thisBinder(req)} exceeded: at most ${state.limit} ${what} per ${periodSeconds} seconds from one address. Try again in ${state.retryAfter} seconds.`;
}

/** The `x-ratelimit-*` headers of upstream, floored at 0 remaining. */
export function setRateLimitHeaders(res: Response | undefined, state: RateLimitState): void {
  if (!res || res.headersSent) return;
  res.setHeader('x-ratelimit-remaining', String(Math.max(0, state.remaining)));
  res.setHeader('x-ratelimit-reset', String(state.reset));
  res.setHeader('x-ratelimit-limit', String(state.limit));
}

/**
 * Counts one request of this client against `limiter`; null when it is within the limit,
 * the limiter is off, or Redis cannot count (logged: the limits protect capacity, they
 * must not take the service down with them). With `res`, sets `x-ratelimit-*`.
 */
export async function countRequest(
  limiter: RateLimiter,
  req: Request,
  what: string,
  log: Logger,
  res?: Response,
): Promise<LimitRefusal | null> {
  if (!limiter.enabled) return null;
  const address = clientAddress(req);
  let state: RateLimitState;
  try {
    state = await limiter.increment(clientKey(address));
  } catch (err) {
    log.warn({ err: (err as Error).message, what }, 'rate limit not checked: Redis error');
    return null;
  }
  setRateLimitHeaders(res, state);
  if (state.remaining >= 0) return null;
  log.info({ ip: address, what, over: -state.remaining }, 'rate limit exceeded');
  const message = limitMessage(req, what, state, limiter.periodSeconds);
  return { status_code: 429, message, retryAfter: state.retryAfter };
}

/**
 * Counts one `/build` request of a logged-in hub user against `limiter` (per user, not
 * per address: people behind one campus NAT are not one client); as `countRequest`.
 */
export async function countUserRequest(
  limiter: RateLimiter,
  user: string,
  req: Request,
  log: Logger,
  res?: Response,
): Promise<LimitRefusal | null> {
  if (!limiter.enabled) return null;
  let state: RateLimitState;
  try {
    state = await limiter.increment(encodeURIComponent(user));
  } catch (err) {
    log.warn({ err: (err as Error).message, user }, 'user rate limit not checked: Redis error');
    return null;
  }
  setRateLimitHeaders(res, state);
  if (state.remaining >= 0) return null;
  log.info({ user, over: -state.remaining }, 'user rate limit exceeded');
  const message = `Rate limit of ${thisBinder(req)} exceeded: at most ${state.limit} launches per ${limiter.periodSeconds} seconds for user ${user}. Try again in ${state.retryAfter} seconds.`;
  return { status_code: 429, message, retryAfter: state.retryAfter };
}
