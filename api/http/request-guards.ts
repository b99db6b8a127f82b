import type { RequestHandler } from 'express';
import { ClientAddressError, clientAddress } from './client-address.js';
import { sendRefusal } from './send-refusal.js';

/** Longest request path served (the spec of a `/build` or `/v2` link included). */
export const MAX_PATH_LENGTH = 4096;

/**
 * The first checks of every request, before any route parses it: the path is at most
 * MAX_PATH_LENGTH characters (414), and the client address is an IP address (400).
 */
export function requestGuards(): RequestHandler {
  return (req, res, next) => {
    if (req.path.length > MAX_PATH_LENGTH) {
      return sendRefusal(
        req,
        res,
        414,
        `The request path is longer than ${MAX_PATH_LENGTH} characters`,
      );
    }
    try {
      clientAddress(req);
    } catch (err) {
      if (!(err instanceof ClientAddressError)) throw err;
      return sendRefusal(req, res, err.status, err.message);
    }
    next();
  };
}
