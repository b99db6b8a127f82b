import type { RequestHandler } from 'express';

/** Request headers a page may send without CORS, as upstream allows. */
const UPSTREAM_ALLOWED = 'cache-control';
/**
 * With CORS on, also a client's `Authorization: Bearer …` (binderhub-client's apiToken)
 * and `Last-Event-ID` (a fetch-based resume): upstream refuses both cross-origin.
 */
const CORS_ALLOWED = 'cache-control, authorization, last-event-id';

/** Upstream's shared behaviour: CORS headers, and an empty 200 for preflight OPTIONS. */
export function commonHeaders(corsAllowOrigin: string): RequestHandler {
  const allowHeaders = corsAllowOrigin ? CORS_ALLOWED : UPSTREAM_ALLOWED;
  return (req, res, next) => {
    res.setHeader('access-control-allow-headers', allowHeaders);
    if (corsAllowOrigin) res.setHeader('access-control-allow-origin', corsAllowOrigin);
    if (req.method === 'OPTIONS') return void res.status(200).end();
    next();
  };
}
