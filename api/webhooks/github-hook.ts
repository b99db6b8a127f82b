import type { RequestHandler, Response } from 'express';
import type { Webhooks } from '@octokit/webhooks';
import { sendJsonError } from '../http/json-error.js';
import { HttpError } from '../http/http-error.js';
import { readGitHubDelivery, type GitHubDelivery } from './github-delivery.js';
import { createNotice, pingWarnings, pushNotice } from './github-payload.js';
import { ignored, takePush, type HookAnswer, type IntakeDeps } from './push-intake.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface GitHubHookDeps extends IntakeDeps {
  /** null when no secret is configured: the webhook is off. */
  webhooks: Pick<Webhooks, 'verify'> | null;
  maxBodyBytes: number;
  metrics: WebhookMetrics;
}

const EVENTS = new Set(['push', 'create', 'ping']);

async function answer(d: GitHubHookDeps, delivery: GitHubDelivery): Promise<HookAnswer> {
  const meta = { event: delivery.event, deliveryId: delivery.deliveryId, receivedAt: Date.now() };
  switch (delivery.event) {
    case 'ping': {
      const warnings = pingWarnings(delivery.payload);
      return { status: 200, outcome: 'pong', body: { status: 200, message: 'pong', warnings } };
    }
    case 'push':
      return takePush(d, pushNotice(delivery.payload, meta));
    case 'create': {
      const notice = createNotice(delivery.payload, meta);
      if (!notice) return ignored('only tag creations are used (a new branch arrives as a push)');
      return takePush(d, notice);
    }
    default:
      return ignored(`event ${delivery.event} is not used: send push (and create) events`);
  }
}

function eventLabel(delivery: GitHubDelivery | undefined): string {
  if (!delivery) return 'unverified';
  return EVENTS.has(delivery.event) ? delivery.event : 'other';
}

function reject(d: GitHubHookDeps, res: Response, err: HttpError, event: string): void {
  const outcome = err.status === 401 ? 'unauthorized' : 'invalid';
  d.metrics.deliveries.inc({ source: 'github', event, outcome });
  if (err.status === 413) res.setHeader('connection', 'close');
  sendJsonError(res, err.status, err.message);
}

/**
 * `POST GitHubWebhook.path`: verify the delivery (HMAC-SHA256 of the raw body), then
 * answer ping, take pushes and tag creations, ignore other events. Every rejection is a
 * JSON 4xx and changes nothing.
 */
export function gitHubHook(d: GitHubHookDeps): RequestHandler {
  return async (req, res, next) => {
    if (!d.webhooks) {
      d.metrics.deliveries.inc({ source: 'github', event: 'unverified', outcome: 'disabled' });
      return sendJsonError(
        res,
        404,
        'The GitHub webhook is off: set GitHubWebhook.secret to turn it on',
      );
    }
    let delivery: GitHubDelivery | undefined;
    try {
      delivery = await readGitHubDelivery(req, d.webhooks, d.maxBodyBytes);
      const result = await answer(d, delivery);
      const event = eventLabel(delivery);
      d.metrics.deliveries.inc({ source: 'github', event, outcome: result.outcome });
      res.status(result.status).json(result.body);
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) {
        return reject(d, res, err, eventLabel(delivery));
      }
      next(err);
    }
  };
}
