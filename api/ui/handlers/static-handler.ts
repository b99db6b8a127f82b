import type { RequestHandler } from 'express';
import type { Logger } from '../../../queue/index.js';
import type { UiAssets } from '../assets/ui-assets.js';
import { FAVICON_SVG } from '../badges/badge-svgs.js';

/** `GET /static/<name>`: the bundled scripts and stylesheet, and the favicon. */
export function staticHandler(assets: UiAssets, log: Logger): RequestHandler {
  const cacheControl = assets.dev ? 'no-cache' : 'public, max-age=86400';
  return async (req, res, next) => {
    const name = req.params.name as string;
    const send = (contentType: string, body: string | Buffer) => {
      res.setHeader('cache-control', cacheControl);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('content-type', contentType);
      res.send(body);
    };
    if (name === 'favicon.svg') return send('image/svg+xml', FAVICON_SVG);
    try {
      const asset = await assets.get(name);
      if (!asset) return next();
      send(asset.contentType, asset.body);
      return;
    } catch (err) {
      log.error({ err }, 'UI assets unavailable');
      res
        .status(500)
        .type('text/plain')
        .send(`UI assets unavailable: ${(err as Error).message}\n`);
    }
  };
}
