import { Webhooks } from '@octokit/webhooks';
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { sendJsonError } from '../http/json-error.js';
import { prebuildRules } from './decide-prebuild.js';
import { gitHubHook } from './github-hook.js';
import { gitLabHook } from './gitlab-hook.js';
import { specFor } from './prebuild-scheduler.js';

/**
 * The push webhooks (`POST GitHubWebhook.path`, `POST GitLabWebhook.path`). `GET
 * /api/builds` is mounted by the app, behind the ban guard. Mount before any
 * body parser: signatures are checked over the raw body, which this router reads itself.
 */
export function webhookRouter(deps: AppDeps): Router {
  const router = Router();
  const prebuilds = deps.prebuilds;
  const gh = deps.config.GitHubWebhook;
  const ghEntry = deps.providers.get('gh');
  const log = deps.log.child({ component: 'webhook' });
  router.post(
    gh.path,
    gitHubHook({
      source: 'github',
      webhooks: gh.secret ? new Webhooks({ secret: gh.secret }) : null,
      maxBodyBytes: gh.max_body_size,
      metrics: prebuilds.metrics,
      rules: prebuildRules(gh, {
        isBanned: (spec) => ghEntry?.policy.isBanned(spec) ?? true,
        specFor: (repo, ref) => specFor('gh', repo, ref),
        webhookClass: 'GitHubWebhook',
        providerClass: 'GitHubRepoProvider',
      }),
      deliveries: prebuilds.deliveries.github,
      scheduler: prebuilds.scheduler,
      pushLog: prebuilds.pushLog,
      log,
    }),
  );
  const gl = deps.config.GitLabWebhook;
  const glEntry = deps.providers.get('gl');
  router.post(
    gl.path,
    gitLabHook({
      source: 'gitlab',
      secretToken: gl.secret_token,
      hostname: deps.config.GitLabRepoProvider.hostname,
      maxBodyBytes: gl.max_body_size,
      metrics: prebuilds.metrics,
      rules: prebuildRules(gl, {
        isBanned: (spec) => glEntry?.policy.isBanned(spec) ?? true,
        specFor: (repo, ref) => specFor('gl', repo, ref),
        webhookClass: 'GitLabWebhook',
        providerClass: 'GitLabRepoProvider',
      }),
      deliveries: prebuilds.deliveries.gitlab,
      scheduler: prebuilds.scheduler,
      pushLog: prebuilds.pushLog,
      log,
    }),
  );
  router.all([gh.path, gl.path], (_req, res) => {
    res.setHeader('allow', 'POST');
    sendJsonError(res, 405, 'Webhook deliveries are POST requests');
  });
  return router;
}
