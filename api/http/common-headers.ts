import type { RequestHandler } from 'express';

/** Upstream's shared behaviour: CORS headers, and an empty 200 for preflight OPTIONS. */
export function commonHeaders(corsAllowOrigin: string): RequestHandler {
  return (req, res, next) => {
    res.setHeader('access-control-allow-headers', 'cache-control');
    if (corsAllowOrigin) res.setHeader('access-control-allow-origin', corsAllowOrigin);
    if (req.method === 'OPTIONS') return void res.status(200).end();
    next();
  };
}
