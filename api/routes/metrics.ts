import { Router } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics`: Prometheus text exposition of the process's registry. */
export function metricsRouter(registry: Registry, beforeScrape?: () => Promise<void>): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    if (beforeScrape) await beforeScrape();
    res.setHeader('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
