import { z } from 'zod';
import { specForDisplay } from './repo-specs/spec-display.js';

/** What asked for a build: a person's launch, or a push webhook (pre-build). */
export const TRIGGERS = ['launch', 'push'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/**
 * A build job: everything a runner needs to build one image. No secrets in clear: job
 * data is stored in clear in Redis, so credentials come from the runner's own
 * configuration, looked up by `provider` — or, for a user's private repository, from
 * `userToken`, sealed with the key api and runners share.
 */
export const buildJobSchema = z.object({
  /** Deterministic build name (upstream's pod-name formula); also the BullMQ job id. */
  buildName: z.string().regex(/^build-[a-z0-9-]+$/),
  /** Full image name with tag, e.g. `127.0.0.1:5000/binder-foo-abc123:<sha>`. */
  image: z.string().min(1),
  /** Provider prefix (`gh`, `git`, …) and its display name (`GitHub`, `Git`, …). */
  provider: z.string().min(1),
  providerName: z.string().min(1),
  /** Spec as requested (unresolved) and resolved (ref → immutable id). */
  spec: z.string().min(1),
  resolvedSpec: z.string().min(1),
  /** What repo2docker is given (a URL to clone, a DOI, a dataset URL, a SWHID), and the immutable ref. */
  repoUrl: z.string().min(1),
  ref: z.string().min(1),
  trigger: z.enum(TRIGGERS),
  /** ms since epoch when the build was first asked for. */
  requestedAt: z.number().int(),
  /**
   * A forced rebuild (admin): build the image again although it exists, without the
   * layer cache, and replace its tag. Absent on ordinary builds.
   */
  rebuild: z.boolean().optional(),
  /**
   * Specs of the same repository at moving refs (`…/main`, `…/HEAD`) that resolved to
   * `ref` when the build was asked for: the image becomes their last good image. A
   * pre-build's `spec` names the commit, so it says which branch it is for here.
   */
  refSpecs: z.array(z.string().min(1).max(2048)).max(4).optional(),
  /**
   * The token of the user whose launch asked for a private repository's build, sealed
   * (AES-256-GCM, `UserCredentials.encryption_key`) and bound to this job's build name
   * and repository URL (queue/credentials/job-token.ts). Absent for other builds.
   */
  userToken: z.string().min(1).max(4096).optional(),
});
export type BuildJob = z.infer<typeof buildJobSchema>;

/** BullMQ job name: readable in the dashboard (provider/spec@ref), credentials in a URL hidden. */
export function jobDisplayName(job: Pick<BuildJob, 'provider' | 'spec' | 'ref'>): string {
  return `${job.provider}/${specForDisplay(job.provider, job.spec)}@${job.ref.slice(0, 12)}`;
}

/** The result a runner returns for a successful build. */
export interface BuildResult {
  image: string;
  durationMs: number;
}
