import { createHash } from 'node:crypto';
import { z } from 'zod';
import { buildIdentity } from '../repo-specs/build-identity.js';
import type { RepoSpec } from '../repo-specs/repo-spec.js';
import { COMMIT_ID } from '../repo-specs/spec-parts.js';

/**
 * The last image built successfully for one ref of one repository (`gh/org/repo/HEAD`):
 * the commit it was built from, the image, when it was built and when that commit was
 * what the ref resolved to (records only move forward in that time).
 */
export const lastGoodSchema = z
  .object({
    commit: z.string().regex(COMMIT_ID),
    image: z.string().min(1).max(512),
    /** ms since epoch: when the image was built (or first seen built). */
    builtAt: z.number().int().positive(),
    /** ms since epoch: when the ref was resolved to `commit`. */
    resolvedAt: z.number().int().positive(),
  })
  .strict();
export type LastGood = z.infer<typeof lastGoodSchema>;

/**
 * Whether a spec's ref can move to another commit (a branch, a tag, `HEAD` of a git
 * repository): only those have an earlier good image worth remembering. Data records
 * (Zenodo, …) and specs that name a commit already have none.
 */
export function hasMovingRef(spec: RepoSpec): boolean {
  return (
    spec.contentProvider === 'git' &&
    spec.unresolvedRef !== '' &&
    !COMMIT_ID.test(spec.unresolvedRef)
  );
}

/**
 * The key of a spec's ref: provider, repository (the slug its image names derive from,
 * which for git providers does not depend on the commit) and the ref as written, hashed.
 */
export function lastGoodRefKey(spec: RepoSpec): string {
  const material = [spec.prefix, spec.buildSlug(''), spec.unresolvedRef].join('\n');
  return createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 40);
}

/** A record read back from Redis, checked against the spec it is used for. */
export type CheckedLastGood = { ok: true; entry: LastGood } | { ok: false; reason: string };

/**
 * Checks what Redis returned before anything uses it: well-formed JSON of the schema, a
 * commit of the form this spec resolves to, and an image that is exactly the one this
 * deployment names for the spec at that commit (`BinderHub.image_prefix`, upstream's
 * formula) — so a record cannot point a launch at any other image.
 */
export function checkLastGood(raw: string, spec: RepoSpec, imagePrefix: string): CheckedLastGood {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = lastGoodSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  const entry = parsed.data;
  if (!spec.isResolvedRef(entry.commit))
    return { ok: false, reason: `commit is not ${spec.resolvedRefForm}` };
  const expected = buildIdentity(spec, entry.commit, imagePrefix).image;
  if (entry.image !== expected)
    return { ok: false, reason: `image ${entry.image} is not ${expected}` };
  return { ok: true, entry };
}
