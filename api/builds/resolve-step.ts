import { specForDisplay } from '../../queue/repo-specs/spec-display.js';
import type { ProviderEntry } from '../providers/provider-entry.js';
import { ResolveError, SpecError, type RepoProvider } from '../providers/repo-provider.js';
import { RefNotResolvedError, SpecRefusedError } from './flow-errors.js';
import type { FlowDeps, FlowRequest, FlowSink } from './flow-types.js';

/** The request's repository at an immutable ref. */
export interface ResolvedRequest {
  entry: ProviderEntry;
  /** The provider of the spec resolved (the `HEAD` one after the gh master/main retry). */
  provider: RepoProvider;
  ref: string;
}

/**
 * The provider of the request's prefix and spec: the spec validated, banned specs
 * refused (SpecRefusedError).
 */
export function providerFor(
  deps: Pick<FlowDeps, 'providers'>,
  req: FlowRequest,
): { entry: ProviderEntry; provider: RepoProvider } {
  const entry = deps.providers.get(req.prefix);
  if (!entry) throw new SpecRefusedError(`No provider found for prefix ${req.prefix}`);
  let provider: RepoProvider;
  try {
    provider = entry.create(req.spec);
  } catch (err) {
    throw err instanceof SpecError ? new SpecRefusedError(err.message) : err;
  }
  if (entry.policy.isBanned(req.spec)) {
    throw new SpecRefusedError(
      `Sorry, ${specForDisplay(req.prefix, req.spec)} is not allowed to launch. Please contact admins for more info!`,
    );
  }
  return { entry, provider };
}

/** How the request's repository is reached: its provider, and how to make another spec's. */
export interface RequestProvider {
  provider: RepoProvider;
  /** The provider of another spec, made as `provider` was (with the user's token or not). */
  create: (spec: string) => RepoProvider;
}

/** The request's ref resolved to an immutable id (RefNotResolvedError when it cannot be). */
export async function resolveRequest(
  entry: ProviderEntry,
  { provider, create }: RequestProvider,
  req: FlowRequest,
  sink: FlowSink,
): Promise<ResolvedRequest> {
  const what = `${req.prefix}:${specForDisplay(req.prefix, req.spec)}`;
  let ref: string | null;
  try {
    ref = await provider.resolveRef(sink.signal);
  } catch (err) {
    if (!(err instanceof ResolveError || err instanceof SpecError)) throw err;
    throw new RefNotResolvedError(`Error resolving ref for ${what}: ${err.message}`);
  }
  if (ref) return { entry, provider, ref };
  const message = `Could not resolve ref for ${what}. Double check your URL and that your repo is public.`;
  const retried = await retryWithHead(entry, { provider, create }, req, sink);
  if (retried && 'ref' in retried) return retried;
  throw new RefNotResolvedError(retried ? `${message} ${retried.hints}` : message, 404);
}

/**
 * A gh spec at `master` or `main` that did not resolve: tried again at `HEAD` (GitHub
 * renamed default branches). The resolved request, with a `waiting` event saying so; else
 * the hints for the failure's message. Undefined for any other spec.
 */
async function retryWithHead(
  entry: ProviderEntry,
  { provider, create }: RequestProvider,
  req: FlowRequest,
  sink: FlowSink,
): Promise<ResolvedRequest | { hints: string } | undefined> {
  const unresolved = provider.unresolvedRef;
  if (req.prefix !== 'gh' || (unresolved !== 'master' && unresolved !== 'main')) return undefined;
  const hints = [
    ...(unresolved === 'master'
      ? ['GitHub has changed default branches from "master" to "main".']
      : []),
    "Tip: HEAD will always resolve to a repository's default branch.",
  ];
  const headSpec = req.spec.replace(/\/[^/]*$/, '/HEAD');
  const headProvider = create(headSpec);
  const headRef = await headProvider.resolveRef(sink.signal).catch(() => null);
  if (!headRef) return { hints: hints.join(' ') };
  sink.send({
    phase: 'waiting',
    message: `${hints.join(' ')}\nTrying again with HEAD instead of ${unresolved}. Please update your links.\n`,
  });
  return { entry, provider: headProvider, ref: headRef };
}
