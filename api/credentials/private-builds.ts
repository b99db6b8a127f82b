import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';
import {
  CREDENTIAL_PROVIDERS,
  type CredentialProvider,
} from '../../queue/credentials/job-token.js';
import type { SiteRepo } from './repo-access-checks.js';

type Deps = { redis: Redis; keys: KeyNames };

const keyOf = (d: Deps, buildName: string) => d.keys.key('credentials', 'private-build', buildName);

/**
 * Builds of private repositories (built with a user's own token), with their
 * repository: their logs are served only to users who can read it, and to operators
 * with a Dashboard token, for `ttlSeconds` (the log's life and more).
 */
export async function markPrivateBuild(
  d: Deps,
  buildName: string,
  repo: SiteRepo,
  ttlSeconds: number,
): Promise<void> {
  await d.redis.set(keyOf(d, buildName), `${repo.provider}\n${repo.path}`, 'EX', ttlSeconds);
}

/** The repository of a private build; undefined for other builds. */
export async function privateBuildRepo(d: Deps, buildName: string): Promise<SiteRepo | undefined> {
  const raw = await d.redis.get(keyOf(d, buildName));
  if (!raw) return undefined;
  const [provider, path] = raw.split('\n');
  if (!(CREDENTIAL_PROVIDERS as readonly string[]).includes(provider ?? '') || !path)
    return { provider: 'github', path: '' }; // unreadable mark: nobody reads it
  return { provider: provider as CredentialProvider, path };
}
