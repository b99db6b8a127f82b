/**
 * GitHub webhook deliveries for tests: payloads from the fixtures (GitHub's documented
 * formats) with the fields a test cares about replaced, signed as GitHub signs them
 * (HMAC-SHA256 of the raw body, `sha256=<hex>`), posted over loopback.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/webhooks');

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function randomSha(): string {
  return (randomUUID() + randomUUID()).replace(/-/g, '').slice(0, 40);
}

/** A fixture's repository object rewritten for `owner/name`. */
function repository(base: unknown, repo: string, o: { defaultBranch?: string; cloneUrl?: string }) {
  const [owner, name] = repo.split('/') as [string, string];
  return {
    ...(base as Record<string, unknown>),
    name,
    full_name: repo,
    owner: { login: owner, name: owner, type: 'Organization' },
    html_url: `https://github.com/${repo}`,
    clone_url: o.cloneUrl ?? `https://github.com/${repo}.git`,
    default_branch: o.defaultBranch ?? 'main',
    master_branch: o.defaultBranch ?? 'main',
  };
}

export interface PushOptions {
  repo: string;
  sha: string;
  ref?: string;
  defaultBranch?: string;
  cloneUrl?: string;
  deleted?: boolean;
}

/** A `push` payload (push.json) for `repo` at `sha`. */
export function pushPayload(o: PushOptions): Record<string, unknown> {
  const base = fixture('push');
  const headCommit = { ...(base.head_commit as Record<string, unknown>), id: o.sha };
  return {
    ...base,
    ref: o.ref ?? 'refs/heads/main',
    after: o.deleted ? '0'.repeat(40) : o.sha,
    deleted: o.deleted ?? false,
    head_commit: o.deleted ? null : headCommit,
    commits: o.deleted ? [] : [headCommit],
    repository: repository(base.repository, o.repo, o),
  };
}

/** A `create` payload (create-tag.json) for a tag of `repo`. */
export function createTagPayload(repo: string, tag: string): Record<string, unknown> {
  const base = fixture('create-tag');
  return { ...base, ref: tag, repository: repository(base.repository, repo, {}) };
}

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  event?: string;
  payload?: unknown;
  /** The raw body (instead of `payload`). */
  body?: string | Buffer;
  secret?: string;
  /** A signature to send as is (null: no signature header). */
  signature?: string | null;
  deliveryId?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface DeliveryResponse {
  status: number;
  body: Record<string, unknown>;
  deliveryId: string;
}

/** POSTs one delivery to the webhook URL and reads the JSON answer. */
export async function deliver(url: string, o: DeliveryOptions): Promise<DeliveryResponse> {
  const body = o.body ?? JSON.stringify(o.payload);
  const deliveryId = o.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': o.event ?? 'push',
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '109948940',
    ...o.headers,
  };
  const signature = o.signature === undefined ? sign(o.secret ?? '', body) : o.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, deliveryId };
}
