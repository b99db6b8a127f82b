import { Router } from 'express';
import type { ProviderRegistry } from '../providers/provider-entry.js';

/** `GET /api/repoproviders`: each provider's `display_config`, as upstream serves it. */
export function repoProvidersRouter(providers: ProviderRegistry): Router {
  const router = Router();
  router.get('/api/repoproviders', (_req, res) => {
    res.json([...providers.values()].map((p) => p.displayConfig));
  });
  return router;
}
