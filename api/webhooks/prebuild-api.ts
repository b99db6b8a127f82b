import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import type { ProviderEntry, ProviderRegistry } from '../providers/provider-entry.js';
import { ResolveError, SpecError, type RepoProvider } from '../providers/repo-provider.js';
import type { Prebuilds } from './create-prebuilds.js';
import { mediaType } from './github-delivery.js';
import { tokenMatches } from './gitlab-delivery.js';
import { providerRepo } from './provider-repo.js';
import type { PushLogEntry } from './push-log.js';
import { fullRefName, type PushNotice } from './push-notice.js';
import { readRawBody } from './raw-body.js';

export interface PrebuildApiDeps {
  config: Pick<Config, 'PrebuildApi' | 'Dashboard'>;
  providers: ProviderRegistry;
  prebuilds: Pick<Prebuilds, 'scheduler' | 'metrics'>;
  log: Logger;
}

export const PREBUILD_API_PATH = '/api/prebuilds';
const MAX_BODY_BYTES = 64 * 1024;
const requestBody = z.object({ provider: z.string().min(1), spec: z.string().min(1) }).strict();

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

async function readBody(req: Request): Promise<z.infer<typeof requestBody>> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new HttpError(415, 'Content type must be application/json');
  }
  let json: unknown;
  try {
    json = JSON.parse((await readRawBody(req, MAX_BODY_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = requestBody.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(body)';
  throw new HttpError(
    400,
    `Expected {"provider": "<gh, gl, git, …>", "spec": "<spec as in a Binder link>"}: ${where}: ${issue?.message ?? 'invalid'}`,
  );
}

/** The provider for the spec, under the same policies as a launch (400 / 403). */
function target(providers: ProviderRegistry, prefix: string, spec: string) {
  const entry = providers.get(prefix);
  if (!entry) {
    const known = [...providers.keys()].join(', ');
    throw new HttpError(400, `Unknown provider "${prefix}": use one of ${known}`);
  }
  let provider: RepoProvider;
  try {
    provider = entry.create(spec);
  } catch (err) {
    if (err instanceof SpecError) throw new HttpError(400, err.message);
    throw err;
  }
  if (entry.policy.isBanned(provider.spec)) {
    throw new HttpError(403, `${prefix}/${provider.spec} is not allowed to build here`);
  }
  return { entry, provider };
}

/** The commit the spec's ref points at now (404 when there is none). */
async function resolveCommit(entry: ProviderEntry, provider: RepoProvider): Promise<string> {
  const what = `${entry.prefix}:${provider.spec}`;
  let sha: string | null;
  try {
    sha = await provider.resolveRef(AbortSignal.timeout(60_000));
  } catch (err) {
    if (err instanceof ResolveError || err instanceof SpecError) {
      throw new HttpError(422, `Error resolving ref for ${what}: ${err.message}`);
    }
    throw err;
  }
  if (!sha) throw new HttpError(404, `Could not resolve ref for ${what}: no such ref`);
  return sha;
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
  const body = await readBody(req);
  const { entry, provider } = target(d.providers, body.provider, body.spec);
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
    sha: await resolveCommit(entry, provider),
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
