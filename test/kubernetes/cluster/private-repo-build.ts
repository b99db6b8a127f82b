/**
 * Builds of a private repository on a GitHub STAND-IN (test/helpers/git-site-stand-in.ts:
 * github.com cannot be reached here) for the Kubernetes backend on the local cluster:
 * a user's token from the stand-in's OAuth flow, sealed into the job as the api does,
 * and the request the runner makes of the job after verifying it.
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { parseConfig, type Config } from '../../../queue/config/index.js';
import { JobTokenSeal } from '../../../queue/credentials/job-token.js';
import type { BuildJob } from '../../../queue/index.js';
import { buildIdentity } from '../../../queue/repo-specs/build-identity.js';
import { repoSpecFor } from '../../../queue/repo-specs/repo-spec-for.js';
import type { BuildRequest } from '../../../runners/build-backend.js';
import { verifyJob } from '../../../runners/verify-job.js';
import type { GitSiteStandIn, StandInRepo } from '../../helpers/git-site-stand-in.js';
import { stackInfo } from '../../helpers/stack.js';

/** The runners' configuration for the stand-in site, with a fresh encryption key. */
export function privateBuildConfig(site: GitSiteStandIn): Config {
  return parseConfig({
    BinderHub: { image_prefix: stackInfo().imagePrefix },
    GitHubRepoProvider: { base_url: site.url, api_base_path: `${site.url}api/v3` },
    UserCredentials: { encryption_key: randomBytes(32).toString('hex') },
  });
}

/** An access token of `login` from the stand-in's OAuth web flow (authorize, then exchange). */
export async function siteToken(site: GitSiteStandIn, login: string): Promise<string> {
  site.nextLogin = login;
  const redirect = 'http://127.0.0.1:9/callback';
  const authorize = new URL('login/oauth/authorize', site.url);
  authorize.search = new URLSearchParams({
    client_id: site.clientId,
    redirect_uri: redirect,
  }).toString();
  const back = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(new URL('login/oauth/access_token', site.url), {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: new URLSearchParams({
      client_id: site.clientId,
      client_secret: site.clientSecret,
      code,
      redirect_uri: redirect,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * The request a runner builds from the job the api queues for `repo` at its commit:
 * with the user's `token` sealed in it (or none), checked and opened by `verifyJob`.
 */
export async function privateRepoBuild(
  config: Config,
  repo: StandInRepo,
  token: string | undefined,
): Promise<BuildRequest> {
  const specText = `${repo.path}/main`;
  const spec = repoSpecFor(config, 'gh', specText)!;
  const job: BuildJob = {
    ...buildIdentity(spec, repo.sha, config.BinderHub.image_prefix),
    provider: 'gh',
    spec: specText,
    ref: repo.sha,
    trigger: 'launch',
    requestedAt: Date.now(),
  };
  if (token !== undefined) {
    const notAfter = Date.now() + 3_600_000;
    job.userToken = JobTokenSeal.fromConfig(config)!.seal(job, {
      provider: 'github',
      token,
      notAfter,
    });
  }
  const verified = await verifyJob(config, job);
  return { job: verified.job, content: verified.content, push: false, appendix: '', extraArgs: [] };
}

/** The Secrets labelled as the build's pod, as the API server has them (admin view). */
export async function buildSecrets(
  admin: CoreV1Api,
  namespace: string,
  buildName: string,
): Promise<V1Secret[]> {
  return (await admin.listNamespacedSecret({ namespace, labelSelector: `name=${buildName}` }))
    .items;
}

/** The Basic user:password the stand-in's git endpoint was sent, decoded. */
export function gitAuthSent(site: GitSiteStandIn, repo: StandInRepo): string[] {
  return site.requests
    .filter((r) => r.path.startsWith(`/${repo.path}/`) && r.auth?.startsWith('Basic '))
    .map((r) => Buffer.from(r.auth!.slice(6), 'base64').toString());
}
