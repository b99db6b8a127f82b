import type { RequestHandler } from 'express';
import { HttpError } from '../http/http-error.js';
import { sendJsonError } from '../http/json-error.js';
import { readGitLabDelivery, type GitLabDelivery } from './gitlab-delivery.js';
import { gitLabPushNotice, objectKind, projectHost } from './gitlab-payload.js';
import { ignored, takePush, type HookAnswer, type IntakeDeps } from './push-intake.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface GitLabHookDeps extends IntakeDeps {
  /** '' when no token is configured: the webhook is off. */
  secretToken: string;
  /** `GitLabRepoProvider.hostname`: projects elsewhere are not built. */
  hostname: string;
  maxBodyBytes: number;
  metrics: WebhookMetrics;
}

const PUSH_KINDS = new Set(['push', 'tag_push']);

/** Metrics label of a payload's kind (bounded: push, tag_push or other). */
function kindLabel(payload: unknown): string {
  const kind = objectKind(payload);
  return kind && PUSH_KINDS.has(kind) ? kind : 'other';
}

async function answer(d: GitLabHookDeps, delivery: GitLabDelivery): Promise<HookAnswer> {
  const kind = objectKind(delivery.payload);
  if (!kind || !PUSH_KINDS.has(kind)) {
    return ignored(`${delivery.event} (${kind ?? 'no object_kind'}) is not used: send push events`);
  }
  const host = projectHost(delivery.payload);
  if (host && host !== d.hostname.toLowerCase()) {
    return ignored(`the project is on ${host}, not on GitLabRepoProvider.hostname (${d.hostname})`);
  }
  const meta = { event: delivery.event, deliveryId: delivery.deliveryId, receivedAt: Date.now() };
  return takePush(d, gitLabPushNotice(delivery.payload, meta));
}

/**
 * `POST GitLabWebhook.path`: GitLab push and tag push hooks (project, group or system
 * hooks), authenticated by `X-Gitlab-Token`; the rest works as for GitHub.
 */
export function gitLabHook(d: GitLabHookDeps): RequestHandler {
  return async (req, res, next) => {
    const count = (event: string, outcome: string) =>
      d.metrics.deliveries.inc({ source: 'gitlab', event, outcome });
    if (!d.secretToken) {
      count('unverified', 'disabled');
      const message = 'The GitLab webhook is off: set GitLabWebhook.secret_token to turn it on';
      return sendJsonError(res, 404, message);
    }
    let delivery: GitLabDelivery | undefined;
    try {
      delivery = await readGitLabDelivery(req, d.secretToken, d.maxBodyBytes);
      const result = await answer(d, delivery);
      count(kindLabel(delivery.payload), result.outcome);
      res.status(result.status).json(result.body);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) return next(err);
      const event = delivery ? kindLabel(delivery.payload) : 'unverified';
      count(event, err.status === 401 ? 'unauthorized' : 'invalid');
      if (err.status === 413) res.setHeader('connection', 'close');
      sendJsonError(res, err.status, err.message);
    }
  };
}
