import type { RequestHandler } from 'express';
import { clientAddress } from './client-address.js';
import { sendJsonError } from './json-error.js';
import type { BanNetworks } from './ban-networks.js';

/**
 * Refuses requests from banned networks with 403 `Requests from <label> are not allowed`.
 * `/build` reports it as its single `failed` event instead (see routes/build.ts), and
 * `/versions`, `/health` are mounted before this guard, as upstream exempts them. The
 * address is checked by `requestGuards` first (an invalid one throws here: a 400).
 */
export function banNetworksGuard(bans: BanNetworks): RequestHandler {
  return (req, res, next) => {
    if (bans.empty || req.path.startsWith('/build/')) return next();
    const label = bans.match(clientAddress(req));
    if (label) return sendJsonError(res, 403, `Requests from ${label} are not allowed`);
    next();
  };
}
