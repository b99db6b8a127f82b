import { HttpError } from '../http/http-error.js';
import type { ProviderEntry, ProviderRegistry } from './provider-entry.js';
import { ResolveError, SpecError, type RepoProvider } from './repo-provider.js';

/**
 * The provider for a spec named in an API request body, under the same policies as a
 * launch: an unknown provider or a bad spec is a 400, a banned spec a 403.
 */
export function specTarget(
  providers: ProviderRegistry,
  prefix: string,
  spec: string,
): { entry: ProviderEntry; provider: RepoProvider } {
  const entry = providers.get(prefix);
  if (!entry) {
    const known = [...providers.keys()].join(', ');
    throw new HttpError(400, `Unknown provider "${prefix}": use one of ${known}`);
  }
  let provider: RepoProvider;
  try {
    provider = entry.create(spec);
  } catch (err) {
    if (err instanceof SpecError) throw new HttpError(400, err.message);
    throw err;
  }
  if (entry.policy.isBanned(provider.spec)) {
    throw new HttpError(403, `${prefix}/${provider.spec} is not allowed to build here`);
  }
  return { entry, provider };
}

/** The immutable id the spec's ref resolves to now: 422 when resolving fails, 404 when there is none. */
export async function resolveNow(entry: ProviderEntry, provider: RepoProvider): Promise<string> {
  const what = `${entry.prefix}:${provider.spec}`;
  let sha: string | null;
  try {
    sha = await provider.resolveRef(AbortSignal.timeout(60_000));
  } catch (err) {
    if (err instanceof ResolveError || err instanceof SpecError) {
      throw new HttpError(422, `Error resolving ref for ${what}: ${err.message}`);
    }
    throw err;
  }
  if (!sha) throw new HttpError(404, `Could not resolve ref for ${what}: no such ref`);
  return sha;
}
