import type { Config } from '../queue/config/index.js';
import {
  JobTokenError,
  JobTokenSeal,
  PREFIX_OF,
  type JobToken,
} from '../queue/credentials/job-token.js';
import type { BuildJob } from '../queue/index.js';
import { buildIdentity, type BuildIdentity } from '../queue/repo-specs/build-identity.js';
import { contentAccessFor, type ContentAccess } from '../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../queue/repo-specs/repo-spec-for.js';
import type { RepoSpec } from '../queue/repo-specs/repo-spec.js';
import { SpecError } from '../queue/repo-specs/spec-error.js';
import { specForDisplay } from '../queue/repo-specs/spec-display.js';
import type { HostLookup } from '../queue/url-policy/check-repo-host.js';
import { UrlPolicyError } from '../queue/url-policy/url-policy-error.js';
import { JobRefusedError } from './job-refused-error.js';

/** A job the runner has checked: its own recomputed values, and how repo2docker may get the repository. */
export interface VerifiedJob {
  job: BuildJob;
  content: ContentAccess;
  /** The job's spec, as the runner parsed it. */
  spec: RepoSpec;
}

const quoted = (v: unknown) => JSON.stringify(String(v).slice(0, 300));

function specOf(config: Config, job: BuildJob): RepoSpec {
  let spec: RepoSpec | undefined;
  try {
    spec = repoSpecFor(config, job.provider, job.spec);
  } catch (err) {
    if (err instanceof SpecError) throw new JobRefusedError(err.message);
    throw err;
  }
  if (!spec) throw new JobRefusedError(`unknown provider ${quoted(job.provider)}`);
  return spec;
}

function compare(job: BuildJob, expected: BuildIdentity, what: string): void {
  // A resolved spec may carry credentials (a git URL with user:token@): never shown.
  const shown = (field: keyof BuildIdentity, v: string) =>
    quoted(field === 'resolvedSpec' ? specForDisplay(job.provider, v) : v);
  for (const field of Object.keys(expected) as Array<keyof BuildIdentity>) {
    if (job[field] !== expected[field]) {
      throw new JobRefusedError(
        `the job's ${field} ${shown(field, job[field])} is not the one this runner computes for ${what} (${shown(field, expected[field])}); api and runner must share BinderHub.image_prefix and the provider settings`,
      );
    }
  }
}

/** The user token a job carries, opened with this runner's key (refused when it does not open). */
function userTokenOf(config: Config, job: BuildJob): JobToken | undefined {
  if (job.userToken === undefined) return undefined;
  const seal = JobTokenSeal.fromConfig(config);
  if (!seal)
    throw new JobRefusedError(
      "the job carries a user's sealed token but this runner has no UserCredentials.encryption_key (api and runners need the same key)",
    );
  try {
    const token = seal.open(job, job.userToken);
    if (job.provider !== PREFIX_OF[token.provider])
      throw new JobRefusedError(`the job's user token is not for ${quoted(job.provider)}`);
    return token;
  } catch (err) {
    if (err instanceof JobTokenError) throw new JobRefusedError(err.message);
    throw err;
  }
}

/**
 * Trusts nothing a job in Redis says: parses its (provider, spec) with the same code as
 * the api, recomputes image name, build name, resolved spec and repository URL for its
 * ref under this runner's configuration, refuses any difference (and a ref of another
 * form than the provider's resolutions: a commit id for git, `<id>.v<n>` for Figshare,
 * …), then checks the host the build contacts first under the URL policy (whatever the
 * ref). A user token the job carries must open with this runner's key for exactly this
 * job (build name and repository URL). Throws JobRefusedError.
 */
export async function verifyJob(
  config: Config,
  job: BuildJob,
  lookupHost?: HostLookup,
): Promise<VerifiedJob> {
  const spec = specOf(config, job);
  const what = `${job.provider}/${specForDisplay(job.provider, job.spec)}`;
  if (!spec.isResolvedRef(job.ref))
    throw new JobRefusedError(`the ref ${quoted(job.ref)} is not ${spec.resolvedRefForm}`);
  const expected = buildIdentity(spec, job.ref, config.BinderHub.image_prefix);
  compare(job, expected, `${what} at ${job.ref}`);
  const user = userTokenOf(config, { ...job, ...expected });
  try {
    const content = await contentAccessFor(config, spec, job.ref, lookupHost, user);
    return { job: { ...job, ...expected }, content, spec };
  } catch (err) {
    if (err instanceof UrlPolicyError) throw new JobRefusedError(err.message);
    throw err;
  }
}
