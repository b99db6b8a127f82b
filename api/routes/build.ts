import { Router, type Request } from 'express';
import { failedEvent, parseStreamId } from '../../queue/index.js';
import type { AppDeps } from '../app-deps.js';
import { buildRequestGuard } from '../build-token/build-request-guard.js';
import { doneEventId, isDoneEventId } from '../builds/done-marker.js';
import { runLaunchFlow } from '../builds/launch-flow.js';
import { acceptsEventStream } from '../http/accepts-event-stream.js';
import { BanNetworks } from '../http/ban-networks.js';
import { openEventStream } from '../sse/event-stream.js';
import { eventStreamOptions } from '../sse/event-stream-options.js';

const BUILD_PATH = /^\/build\/([^/]+)\/(.+)$/;

/**
 * Prefix and raw (still percent-encoded) spec of `/build/<prefix>/<spec>`, trailing `/`
 * removed. Parsed by hand: Express would reject malformed percent-encoding with a bare
 * 400 before a `failed` event could say what is wrong.
 */
function parseBuildPath(path: string): { prefix: string; spec: string } | undefined {
  const m = BUILD_PATH.exec(path);
  return m ? { prefix: m[1]!, spec: m[2]!.replace(/\/+$/, '') } : undefined;
}

function launchHost(deps: AppDeps, req: Request): string {
  const configured = deps.config.BinderHub.badge_base_url;
  if (configured) return configured;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${deps.config.BinderHub.base_url}`;
}

/**
 * `GET /build/<provider>/<spec>`: the Server-Sent Events build-and-launch API. Every
 * outcome, including bad requests, is an event on an HTTP 200 stream (EventSource cannot
 * read status codes); the stream is closed after `ready` or `failed`.
 */
export function buildRouter(
  deps: AppDeps,
  bans = new BanNetworks(deps.config.BinderHub.ban_networks),
): Router {
  const router = Router();
  const guard = buildRequestGuard(deps);
  router.get(/^\/build\/.+/, async (req, res, next) => {
    const target = parseBuildPath(req.path);
    if (!target) return next();
    const lastEventId = req.get('last-event-id');
    if (isDoneEventId(lastEventId)) {
      // This client saw the end of its stream already: tell EventSource to stop.
      return void res.status(204).end();
    }
    const banned = bans.match(req.ip);
    // build token + rate limit (sets x-ratelimit-* headers, so before the stream opens)
    const denied = banned ? null : await guard(req, res);
    const stream = openEventStream(req, res, eventStreamOptions(deps));
    deps.metrics.openEventStreams.inc();
    res.on('close', () => deps.metrics.openEventStreams.dec());
    const finish = (event: ReturnType<typeof failedEvent>) => stream.end(event, doneEventId());
    if (!acceptsEventStream(req.get('accept'))) {
      return finish(failedEvent('Missing Accept header: text/event-stream', 400));
    }
    if (banned) return finish(failedEvent(`Requests from ${banned} are not allowed`, 403));
    if (denied) return finish(failedEvent(denied.message, denied.status_code));
    const buildOnlyArg = String(req.query.build_only ?? '').toLowerCase() === 'true';
    if (buildOnlyArg && !deps.config.BinderHub.enable_api_only_mode) {
      return finish(
        failedEvent(
          'Building but not launching is not permitted when the API only mode was not enabled by setting `enable_api_only_mode` to True.',
          400,
        ),
      );
    }
    const terminal = await runLaunchFlow(
      deps,
      {
        prefix: target.prefix,
        spec: target.spec,
        buildOnly: buildOnlyArg,
        resumeAfter: parseStreamId(lastEventId),
        clientIp: req.ip ?? '',
        launchHost: launchHost(deps, req),
        buildToken:
          denied === null &&
          !banned &&
          typeof req.query.build_token === 'string' &&
          req.query.build_token !== '',
        header: (name) => req.get(name),
      },
      stream,
    );
    finish(terminal);
  });
  return router;
}
