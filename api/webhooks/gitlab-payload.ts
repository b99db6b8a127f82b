import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import type { DeliveryMeta } from './github-payload.js';
import { COMMIT_SHA, ZERO_SHA, type PushNotice } from './push-notice.js';

/** GitLab's push and tag push events (project hooks, and system hooks' push events). */
const pushPayload = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex commit sha'),
  checkout_sha: z.string().regex(COMMIT_SHA).nullable().optional(),
  project: z.object({
    path_with_namespace: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, 'group/project'),
    default_branch: z.string().min(1).optional(),
    web_url: z.string().url().optional(),
  }),
});

/** The object kind of a payload, if it has one (system hooks carry every kind). */
export function objectKind(payload: unknown): string | undefined {
  const kind = (payload as { object_kind?: unknown } | null)?.object_kind;
  return typeof kind === 'string' ? kind : undefined;
}

/**
 * A push or tag push as a PushNotice. `checkout_sha` is the commit (for a tag, `after`
 * may be the annotated tag object); a deletion has `after` all zeros.
 */
export function gitLabPushNotice(payload: unknown, meta: DeliveryMeta): PushNotice {
  const result = pushPayload.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(payload)';
    throw new HttpError(400, `Not a GitLab push payload: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const p = result.data;
  const deleted = ZERO_SHA.test(p.after);
  return {
    provider: 'gl',
    ...meta,
    repo: p.project.path_with_namespace,
    ref: p.ref,
    sha: deleted ? null : (p.checkout_sha ?? (p.object_kind === 'push' ? p.after : null)),
    defaultBranch: p.project.default_branch ?? '',
    deleted,
  };
}

/** The host a project lives on, from its `web_url` (lower case), if given. */
export function projectHost(payload: unknown): string | undefined {
  const url = (payload as { project?: { web_url?: unknown } } | null)?.project?.web_url;
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
