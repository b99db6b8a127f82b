import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { HttpError } from '../http/http-error.js';
import { mediaType } from './github-delivery.js';
import { readRawBody } from './raw-body.js';

/** A GitLab delivery whose token matched: event name, delivery id, parsed JSON payload. */
export interface GitLabDelivery {
  event: string;
  deliveryId: string;
  payload: unknown;
}

const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a received token with the configured one. */
export function tokenMatches(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * The delivery id: GitLab's `Idempotency-Key` (the same on retries, GitLab ≥ 17.4), else
 * its webhook UUID, else a hash of the body (a retry sends the same body).
 */
function deliveryId(req: Request, raw: Buffer): string {
  for (const name of ['idempotency-key', 'x-gitlab-webhook-uuid', 'x-gitlab-event-uuid']) {
    const v = header(req, name);
    if (v && ID.test(v)) return v;
  }
  return `body-${digest(raw).toString('hex')}`;
}

/**
 * Reads and checks one GitLab delivery: content type (415), `X-Gitlab-Token` compared in
 * constant time (401), body size (413), then event header and JSON (400). Throws HttpError.
 */
export async function readGitLabDelivery(
  req: Request,
  secretToken: string,
  maxBytes: number,
): Promise<GitLabDelivery> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new HttpError(415, 'Content type must be application/json');
  }
  const token = header(req, 'x-gitlab-token');
  if (!token) throw new HttpError(401, 'Missing X-Gitlab-Token header: set the secret token');
  if (!tokenMatches(token, secretToken)) {
    throw new HttpError(401, 'X-Gitlab-Token does not match: check the secret token');
  }
  const raw = await readRawBody(req, maxBytes);
  const event = header(req, 'x-gitlab-event') ?? '';
  if (!/^[A-Za-z ]{1,64}$/.test(event)) {
    throw new HttpError(400, 'Missing or invalid X-Gitlab-Event header');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`);
  }
  return { event, deliveryId: deliveryId(req, raw), payload };
}
