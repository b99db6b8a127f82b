import { Router, type Request, type Response } from 'express';
import { failedEvent, parseStreamId, scrubUrl, type BuildEvent } from '../../queue/index.js';
import type { AppDeps } from '../app-deps.js';
import { buildRequestGuard } from '../build-token/build-request-guard.js';
import { BUILD_ROUTE, parseBuildPath } from '../builds/build-path.js';
import { doneEventId, isDoneEventId } from '../builds/done-marker.js';
import { FALLBACKS, type Fallback } from '../builds/last-good-step.js';
import { runLaunchFlow } from '../builds/launch-flow.js';
import { acceptsEventStream } from '../http/accepts-event-stream.js';
import { BanNetworks } from '../http/ban-networks.js';
import { ClientAddressError, clientAddress } from '../http/client-address.js';
import { sendRefusal } from '../http/send-refusal.js';
import { holdStreamSlot } from '../rate-limit/hold-stream-slot.js';
import { openEventStream, type EventStreamOptions } from '../sse/event-stream.js';
import { eventStreamOptions } from '../sse/event-stream-options.js';

function launchHost(deps: AppDeps, req: Request): string {
  const configured = deps.config.BinderHub.badge_base_url;
  if (configured) return configured;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${deps.config.BinderHub.base_url}`;
}

const BUILD_ONLY_REFUSED =
  'Building but not launching is not permitted when the API only mode was not enabled by setting `enable_api_only_mode` to True.';

/** The refusals that need no work, in upstream's order; undefined when the request may go on. */
function refusalOf(
  deps: AppDeps,
  req: Request,
  banned: string | undefined,
  denied: { status_code: number; message: string } | null,
): BuildEvent | undefined {
  if (!acceptsEventStream(req.get('accept'))) {
    return failedEvent('Missing Accept header: text/event-stream', 400);
  }
  if (banned) return failedEvent(`Requests from ${banned} are not allowed`, 403);
  if (denied) return failedEvent(denied.message, denied.status_code);
  if (buildOnly(req) && !deps.config.BinderHub.enable_api_only_mode) {
    return failedEvent(BUILD_ONLY_REFUSED, 400);
  }
  const fallback = req.query.fallback;
  if (fallback !== undefined && !isFallback(fallback)) {
    return failedEvent(
      `Unknown fallback ${JSON.stringify(String(fallback)).slice(0, 80)}: the only one is fallback=last-good`,
      400,
    );
  }
  return undefined;
}

const isFallback = (v: unknown): v is Fallback =>
  typeof v === 'string' && (FALLBACKS as readonly string[]).includes(v);

/**
 * The event stream of a `/build` request (counted in `openEventStreams`), and `finish`,
 * which sends the terminal event and closes it. Messages may name the spec or the
 * repository URL: they never carry its credentials.
 */
function openBuildStream(deps: AppDeps, req: Request, res: Response, options: EventStreamOptions) {
  const stream = openEventStream(req, res, options);
  deps.metrics.openEventStreams.inc();
  res.on('close', () => deps.metrics.openEventStreams.dec());
  const finish = (event: BuildEvent) => {
    const message = event.message === undefined ? undefined : scrubUrl(event.message);
    stream.end({ ...event, ...(message === undefined ? {} : { message }) }, doneEventId());
  };
  return { stream, finish };
}

/** Upstream's answer to `/build` without a login (tornado's reason phrase for 403). */
const FORBIDDEN = { status_code: 403, message: 'Forbidden' };

const buildOnly = (req: Request) => String(req.query.build_only ?? '').toLowerCase() === 'true';

/**
 * `GET /build/<provider>/<spec>`: the Server-Sent Events build-and-launch API. Every
 * outcome, including bad requests, is an event on an HTTP 200 stream (EventSource cannot
 * read status codes); the stream is closed after `ready` or `failed`. Each client holds
 * at most `RateLimiter.max_concurrent_streams` streams at once.
 */
export function buildRouter(
  deps: AppDeps,
  bans = new BanNetworks(deps.config.BinderHub.ban_networks),
): Router {
  const router = Router();
  const guard = buildRequestGuard(deps);
  const log = deps.log.child({ component: 'build' });
  const streamOptions = eventStreamOptions(deps);
  router.get(BUILD_ROUTE, async (req, res, next) => {
    const target = parseBuildPath(req.path);
    if (!target) return next();
    const lastEventId = req.get('last-event-id');
    if (isDoneEventId(lastEventId)) {
      // This client saw the end of its stream already: tell EventSource to stop.
      return void res.status(204).end();
    }
    let address: string;
    try {
      address = clientAddress(req);
    } catch (err) {
      if (!(err instanceof ClientAddressError)) throw err;
      return sendRefusal(req, res, err.status, err.message);
    }
    const banned = bans.match(address);
    // BinderHub.auth_enabled: upstream's @authenticated, whose login redirect /build turns into 403
    const user = !banned && deps.login ? await deps.login.auth.userFor(req) : null;
    const forbidden = deps.login && !banned && !user;
    // build token + rate limit (sets x-ratelimit-* headers, so before the stream opens)
    const denied = banned || forbidden ? null : await guard(req, target, res, user ?? undefined);
    if (forbidden && acceptsEventStream(req.get('accept'))) {
      log.info({ path: req.path }, '/build without a login');
    }
    const { stream, finish } = openBuildStream(deps, req, res, streamOptions);
    const refused = refusalOf(deps, req, banned, forbidden ? FORBIDDEN : denied);
    if (refused) return finish(refused);
    const slot = await holdStreamSlot(deps.limits.streams, req, log);
    if ('refused' in slot) return finish(slot.refused);
    res.on('close', slot.release);
    const flowRequest = {
      ...target,
      buildOnly: buildOnly(req),
      resumeAfter: parseStreamId(lastEventId),
      clientIp: address,
      launchHost: launchHost(deps, req),
      buildToken: typeof req.query.build_token === 'string' && req.query.build_token !== '',
      header: (name: string) => req.get(name),
      ...(isFallback(req.query.fallback) ? { fallback: req.query.fallback } : {}),
      ...(user ? { user } : {}),
    };
    const terminal = await runLaunchFlow(deps, flowRequest, stream);
    finish(terminal);
    slot.release();
  });
  return router;
}
