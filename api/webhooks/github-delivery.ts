import type { Request } from 'express';
import type { Webhooks } from '@octokit/webhooks';
import { HttpError } from '../http/http-error.js';
import { readRawBody } from './raw-body.js';

/** A delivery whose signature matched: event name, delivery id, parsed JSON payload. */
export interface GitHubDelivery {
  event: string;
  deliveryId: string;
  payload: unknown;
}

const EVENT_NAME = /^[a-z_]{1,64}$/;
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

/** The media type of a Content-Type header, lower case, parameters dropped. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Reads and checks one GitHub delivery, in an order that costs an attacker most and us
 * least: content type (415), signature header (401), body size (413), HMAC-SHA256 over
 * the raw bytes in constant time (401), then headers and JSON (400). Throws HttpError.
 */
export async function readGitHubDelivery(
  req: Request,
  webhooks: Pick<Webhooks, 'verify'>,
  maxBytes: number,
): Promise<GitHubDelivery> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new HttpError(
      415,
      'Content type must be application/json: set it in the webhook settings',
    );
  }
  const signature = header(req, 'x-hub-signature-256');
  if (!signature) {
    throw new HttpError(401, 'Missing X-Hub-Signature-256 header: set the webhook secret');
  }
  const raw = await readRawBody(req, maxBytes);
  const body = raw.toString('utf8');
  const valid = body.length > 0 && (await webhooks.verify(body, signature).catch(() => false));
  if (!valid) {
    throw new HttpError(401, 'Signature does not match the payload: check the webhook secret');
  }
  const event = header(req, 'x-github-event') ?? '';
  const deliveryId = header(req, 'x-github-delivery') ?? '';
  if (!EVENT_NAME.test(event)) throw new HttpError(400, 'Missing or invalid X-GitHub-Event header');
  if (!DELIVERY_ID.test(deliveryId)) {
    throw new HttpError(400, 'Missing or invalid X-GitHub-Delivery header');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch (err) {
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`);
  }
  return { event, deliveryId, payload };
}
