import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import { ZERO_SHA, splitRef, type PushNotice } from './push-notice.js';

/** The fields of GitHub's `repository` object this webhook reads. */
const repository = z.object({
  full_name: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/repo'),
  default_branch: z.string().min(1).optional(),
  master_branch: z.string().min(1).optional(),
});

/** GitHub's `push` event (only what is used). */
const pushPayload = z.object({
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex commit sha'),
  deleted: z.boolean().optional(),
  head_commit: z
    .object({ id: z.string().regex(/^[0-9a-f]{40}$/) })
    .nullable()
    .optional(),
  repository,
});

/** GitHub's `create` event: a branch or tag was created (no sha). */
const createPayload = z.object({
  ref: z.string().min(1),
  ref_type: z.enum(['branch', 'tag', 'repository']),
  master_branch: z.string().min(1).optional(),
  repository,
});

/** GitHub's `ping` event, sent when a webhook is created. */
const pingPayload = z.object({
  zen: z.string().optional(),
  hook: z
    .object({
      events: z.array(z.string()).optional(),
      config: z.object({ content_type: z.string().optional() }).passthrough().optional(),
    })
    .passthrough()
    .optional(),
});

function parse<T extends z.ZodType>(schema: T, payload: unknown, event: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(payload)';
  throw new HttpError(
    400,
    `Not a GitHub ${event} payload: ${where}: ${issue?.message ?? 'invalid'}`,
  );
}

export interface DeliveryMeta {
  event: string;
  deliveryId: string;
  receivedAt: number;
}

/**
 * The commit a push made its ref point at. For a tag, `after` may be an annotated tag
 * object, while a launch of the tag resolves to the commit: use `head_commit` (or resolve
 * later when absent) so both name the same image.
 */
function pushedCommit(p: z.infer<typeof pushPayload>): string | null {
  if (ZERO_SHA.test(p.after)) return null;
  if (splitRef(p.ref)?.kind === 'tag') return p.head_commit?.id ?? null;
  return p.after;
}

/** A `push` payload as a PushNotice (throws HttpError 400 on a malformed payload). */
export function pushNotice(payload: unknown, meta: DeliveryMeta): PushNotice {
  const p = parse(pushPayload, payload, 'push');
  return {
    provider: 'gh',
    ...meta,
    repo: p.repository.full_name,
    ref: p.ref,
    sha: pushedCommit(p),
    defaultBranch: p.repository.default_branch ?? p.repository.master_branch ?? '',
    deleted: p.deleted === true || ZERO_SHA.test(p.after),
  };
}

/**
 * A `create` payload as a PushNotice (sha unknown: resolved later), or null when it is
 * not about a tag — a new branch also arrives as a `push`, which carries its sha.
 */
export function createNotice(payload: unknown, meta: DeliveryMeta): PushNotice | null {
  const p = parse(createPayload, payload, 'create');
  if (p.ref_type !== 'tag') return null;
  return {
    provider: 'gh',
    ...meta,
    repo: p.repository.full_name,
    ref: `refs/tags/${p.ref}`,
    sha: null,
    defaultBranch: p.repository.default_branch ?? p.master_branch ?? '',
    deleted: false,
  };
}

/** Advice for the answer to `ping`: settings of the hook that would stop pre-builds. */
export function pingWarnings(payload: unknown): string[] {
  const p = parse(pingPayload, payload, 'ping');
  const warnings: string[] = [];
  const events = p.hook?.events;
  if (events && !events.includes('push') && !events.includes('*')) {
    warnings.push('this webhook does not send push events: select "Just the push event"');
  }
  const contentType = p.hook?.config?.content_type;
  if (contentType && contentType !== 'json') {
    warnings.push('set the content type to application/json');
  }
  return warnings;
}
