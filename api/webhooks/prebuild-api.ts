import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import type { ProviderRegistry } from '../providers/provider-entry.js';
import { SpecError } from '../providers/repo-provider.js';
import { resolveNow, specTarget } from '../providers/spec-target.js';
import type { Prebuilds } from './prebuilds.js';
import { tokenMatches } from './gitlab-delivery.js';
import { providerRepo } from './provider-repo.js';
import type { PushLogEntry } from './push-log.js';
import { fullRefName, type PushNotice } from './push-notice.js';
import { readSpecBody } from './spec-body.js';

export interface PrebuildApiDeps {
  config: Pick<Config, 'PrebuildApi' | 'Dashboard'>;
  providers: ProviderRegistry;
  prebuilds: Pick<Prebuilds, 'scheduler' | 'metrics'>;
  log: Logger;
}

export const PREBUILD_API_PATH = '/api/prebuilds';

/** `Authorization: Bearer <PrebuildApi.token or Dashboard.admin_token>`, compared in constant time. */
function authorize(req: Request, tokens: string[]): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!match) {
    throw new HttpError(401, 'Authentication required: send "Authorization: Bearer <token>"');
  }
  if (!tokens.some((t) => tokenMatches(match[1]!, t))) {
    throw new HttpError(401, 'Wrong token: use PrebuildApi.token or Dashboard.admin_token');
  }
}

/** 202 for a build queued or waiting, 200 when nothing needs building, 503 on failure. */
function statusOf(outcome: string): number {
  if (outcome === 'failed') return 503;
  return outcome === 'exists' || outcome === 'stale' ? 200 : 202;
}

type PrebuildAnswer = PushLogEntry & { provider: string; spec: string; repo: string };

async function prebuild(d: PrebuildApiDeps, req: Request): Promise<PrebuildAnswer> {
  const tokens = [d.config.PrebuildApi.token, d.config.Dashboard.admin_token].filter(Boolean);
  authorize(req, tokens);
  const body = await readSpecBody(req);
  const { entry, provider } = specTarget(d.providers, body.provider, body.spec);
  let repo: string;
  try {
    repo = providerRepo(provider);
  } catch (err) {
    // Data providers (Zenodo, …) have no pushes to pre-build: a clear 400, not a 500.
    if (err instanceof SpecError) throw new HttpError(400, err.message);
    throw err;
  }
  const notice: PushNotice = {
    provider: entry.prefix,
    event: 'api',
    deliveryId: randomUUID(),
    repo,
    ref: fullRefName(provider.unresolvedRef),
    sha: await resolveNow(entry, provider),
    defaultBranch: '',
    deleted: false,
    receivedAt: Date.now(),
  };
  const outcome = await d.prebuilds.scheduler.submit(notice);
  return { provider: entry.prefix, spec: provider.spec, repo, ...outcome };
}

/**
 * `POST /api/prebuilds` with `{"provider": "git", "spec": "<url-encoded URL>/<ref>"}`:
 * the pre-build a push webhook would make, for any git host (a CI job, a `post-receive`
 * hook). The ref is resolved now; the build is low priority and coalesced per ref with
 * the webhooks' pre-builds. Answers what became of it (`queued`, `exists`, …).
 */
export function prebuildApiRouter(d: PrebuildApiDeps): Router {
  const router = Router();
  const count = (outcome: string) =>
    d.prebuilds.metrics.deliveries.inc({ source: 'api', event: 'prebuild', outcome });
  router.post(PREBUILD_API_PATH, async (req, res, next) => {
    if (!d.config.PrebuildApi.token && !d.config.Dashboard.admin_token) {
      count('disabled');
      const off = 'The pre-build API is off: set PrebuildApi.token (or Dashboard.admin_token)';
      return sendJsonError(res, 404, off);
    }
    try {
      const result = await prebuild(d, req);
      count(result.outcome === 'failed' ? 'failed' : 'accepted');
      const status = statusOf(result.outcome);
      res.status(status).json({ status, ...result });
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) return next(err);
      count(err.status === 401 ? 'unauthorized' : 'invalid');
      if (err.status === 401) res.setHeader('www-authenticate', 'Bearer');
      if (err.status === 413) res.setHeader('connection', 'close');
      sendJsonError(res, err.status, err.message);
    }
  });
  router.all(PREBUILD_API_PATH, (_req, res) => {
    res.setHeader('allow', 'POST');
    sendJsonError(res, 405, 'Ask for a pre-build with POST');
  });
  return router;
}
