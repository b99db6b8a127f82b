import { Router } from 'express';

export interface VersionsDeps {
  version: string;
  builderInfo: () => Promise<Record<string, string>>;
  corsAllowOrigin: string;
}

/** `GET /versions`: `{builder_info, binderhub[, builder]}` as upstream answers. */
export function versionsRouter(deps: VersionsDeps): Router {
  const router = Router();
  router.get('/versions', async (_req, res) => {
    const info = await deps.builderInfo();
    const body: Record<string, unknown> = { builder_info: info, binderhub: deps.version };
    if (info.build_image) body.builder = info.build_image;
    res.setHeader('access-control-allow-origin', deps.corsAllowOrigin || '*');
    res.json(body);
  });
  return router;
}
