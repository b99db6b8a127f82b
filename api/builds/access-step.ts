import { keyNames, type BuildJob } from '../../queue/index.js';
import type { CredentialProvider, JobToken } from '../../queue/credentials/job-token.js';
import { GitHubSpec } from '../../queue/repo-specs/github-spec.js';
import { GitLabSpec } from '../../queue/repo-specs/gitlab-spec.js';
import { AccessCheckUnavailableError, type SiteRepo } from '../credentials/repo-access-checks.js';
import { markPrivateBuild } from '../credentials/private-builds.js';
import { ReconnectError } from '../credentials/user-tokens.js';
import type { ProviderEntry } from '../providers/provider-entry.js';
import type { RepoProvider } from '../providers/repo-provider.js';
import type { BuildPlan } from './build-plan.js';
import { AccessRefusedError } from './flow-errors.js';
import type { FlowDeps, FlowRequest } from './flow-types.js';

/** The request may go on: with which provider (resolving with the user's token or not). */
export interface UserAccess {
  provider: RepoProvider;
  /** Makes the provider of another spec of the same repository the same way (the HEAD retry). */
  create: (spec: string) => RepoProvider;
  /** The user's token, when the repository is private and is built with it. */
  token?: Omit<JobToken, 'notAfter'>;
  /** The site repository (gh, gl). */
  repo?: SiteRepo;
}

/** The site repository a gh/gl spec names; undefined for other providers. */
export function siteRepoOf(provider: RepoProvider): SiteRepo | undefined {
  if (provider instanceof GitHubSpec)
    return { provider: 'github', path: `${provider.user}/${provider.repo}` };
  if (provider instanceof GitLabSpec) return { provider: 'gitlab', path: provider.namespace };
  return undefined;
}

const NAME: Record<CredentialProvider, string> = { github: 'GitHub', gitlab: 'GitLab' };

function refusal(deps: Deps, repo: SiteRepo, connected: boolean): AccessRefusedError {
  const site = NAME[repo.provider];
  const where = `${deps.config.BinderHub.base_url}auth/connections`;
  const why = connected
    ? `the ${site} account you connected cannot read it`
    : `you have not connected a ${site} account`;
  return new AccessRefusedError(
    `${repo.path} is a private ${site} repository and ${why}. Connect a ${site} account that can read it (${where}) and try again.`,
    403,
  );
}

type Deps = Pick<FlowDeps, 'config' | 'log' | 'userCredentials'>;

/**
 * Before a logged-in user's request resolves, builds or launches a gh/gl repository:
 * with the user's connected account, ask the site whether it can read the repository
 * (cached per user and repository, `UserCredentials.access_check_seconds`) and resolve
 * with that token; a repository marked private (a connected user's check found it so)
 * is refused to every user whose token cannot read it — before anything could attach
 * to its build or launch its image (cached, last good or new): AccessRefusedError (403,
 * or 503 when the site could not be asked).
 */
export async function userAccessStep(
  deps: Deps,
  entry: ProviderEntry,
  provider: RepoProvider,
  req: Pick<FlowRequest, 'user'>,
): Promise<UserAccess> {
  const uc = deps.userCredentials;
  const repo = siteRepoOf(provider);
  const shared = { provider, create: (spec: string) => entry.create(spec) };
  if (!uc || !req.user || !repo || !uc.sites.has(repo.provider)) return shared;
  try {
    // A connection the site no longer accepts is gone: the launch goes on without it.
    let reconnect: string | undefined;
    const token = await uc.tokens.tokenFor(req.user, repo.provider).catch((err: unknown) => {
      if (!(err instanceof ReconnectError)) throw err;
      reconnect = err.message;
      return undefined;
    });
    if (token) {
      const seen = await uc.checks.check(req.user, repo, token.accessToken);
      if (seen.readable) {
        const create = (spec: string) =>
          entry.withToken?.(spec, token.accessToken) ?? entry.create(spec);
        const own = entry.withToken ? create(provider.spec) : provider;
        if (!seen.private) return { provider: own, create };
        const sealable = { provider: repo.provider, token: token.accessToken };
        return { provider: own, create, repo, token: sealable };
      }
    }
    if (!(await uc.checks.markedPrivate(repo))) return shared;
    throw reconnect ? new AccessRefusedError(reconnect, 403) : refusal(deps, repo, !!token);
  } catch (err) {
    if (err instanceof AccessCheckUnavailableError) {
      deps.log.warn({ err: err.message, repo: repo.path }, 'repository access not checked');
      throw new AccessRefusedError(
        `Could not check your access to ${repo.path}: ${err.message}. Please try again in a moment.`,
        503,
      );
    }
    throw err;
  }
}

/**
 * The plan whose job carries the user's token, sealed for that job (private
 * repositories); the build is marked private (its log is not served to other users).
 */
export async function withUserToken(
  deps: Pick<FlowDeps, 'userCredentials' | 'redis' | 'config'>,
  plan: BuildPlan,
  access: UserAccess,
): Promise<BuildPlan> {
  const uc = deps.userCredentials;
  if (!access.token || !access.repo || !uc) return plan;
  const keys = keyNames(deps.config.Redis.key_prefix);
  const ttl = deps.config.BuildQueue.event_history_ttl + 7 * 86400;
  await markPrivateBuild({ redis: deps.redis, keys }, plan.job.buildName, access.repo, ttl);
  const notAfter = Date.now() + uc.jobTokenMs;
  const job: BuildJob = {
    ...plan.job,
    userToken: uc.jobSeal.seal(plan.job, { ...access.token, notAfter }),
  };
  return { ...plan, job };
}
