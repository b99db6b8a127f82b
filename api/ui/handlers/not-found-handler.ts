import type { RequestHandler } from 'express';
import { sendJsonError } from '../../http/json-error.js';
import type { SiteSettings } from '../html/site-settings.js';
import { renderErrorPage } from '../pages/error-page.js';
import { sendHtml } from './send-html.js';

/**
 * The last handler: a GET/HEAD nothing else answered gets a real 404 (deliberately unlike
 * upstream, whose single-page app answers every unknown path with HTTP 200). Clients that
 * prefer JSON, and paths under `/api/`, get `{"status":404,"error":…}`. Other methods are
 * left to Express. `jsonOnly` (API-only mode) answers JSON to everyone.
 */
export function notFoundHandler(site: SiteSettings, jsonOnly = false): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const message = `There is no page at ${req.path}.`;
    if (jsonOnly || req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json') {
      return sendJsonError(res, 404, message);
    }
    sendHtml(res, 404, renderErrorPage(site, 404, message));
  };
}
