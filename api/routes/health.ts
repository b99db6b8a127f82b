import { Router } from 'express';
import type { HealthChecker } from '../health/health-checker.js';

/** `GET|HEAD /health`: `{ok, checks:[{service, ok, …}]}`, 503 when not ok. */
export function healthRouter(checker: HealthChecker): Router {
  const router = Router();
  router.all('/health', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const report = await checker.report();
    res.status(report.ok ? 200 : 503);
    if (req.method === 'HEAD') return void res.end();
    res.json(report);
  });
  return router;
}
