import type { Logger } from '../../queue/index.js';
import { planBuild, type BuildPlan } from '../builds/build-plan.js';
import type { ProviderRegistry } from '../providers/provider-entry.js';
import { pyQuote } from '../../queue/repo-specs/spec-parts.js';
import { RegistryUnavailableError, type ImageRegistry } from '../registry/image-registry.js';
import type { PushCoalescer } from './push-coalescer.js';
import type { PushLog, PushLogEntry } from './push-log.js';
import { splitRef, type PushNotice } from './push-notice.js';
import { SerialByKey } from './serial-by-key.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface SchedulerDeps {
  providers: ProviderRegistry;
  registry: ImageRegistry;
  log: Logger;
  imagePrefix: string;
  coalescer: PushCoalescer;
  pushLog: PushLog;
  metrics: WebhookMetrics;
  /** How often a delayed pre-build checks whether the build it waits for has ended. */
  promotePollMs?: number;
  /** Pauses before asking an unavailable registry again (one retry per entry). */
  registryRetryMs?: readonly number[];
}

/**
 * The spec of a repository at a ref, as a launch writes it: `gh` and `gist` take
 * `owner/name` as it is, `gl` (the project path) and `git` (the URL) percent-encode it.
 */
export function specFor(provider: string, repo: string, ref: string): string {
  return provider === 'gl' || provider === 'git' ? `${pyQuote(repo)}/${ref}` : `${repo}/${ref}`;
}

/**
 * The specs whose last good image a push's build becomes: its branch or tag, and `HEAD`
 * when it is the default branch.
 */
function movingRefSpecs(n: PushNotice): string[] {
  const ref = splitRef(n.ref);
  if (!ref) return [];
  const specs = [specFor(n.provider, n.repo, ref.name)];
  if (ref.kind === 'branch' && ref.name === n.defaultBranch)
    specs.push(specFor(n.provider, n.repo, 'HEAD'));
  return specs;
}

/**
 * Does the slow part of a push after the webhook has answered: resolve the commit if the
 * delivery did not name it, compute the image as a launch would, skip it if the registry
 * has it, else hand it to the coalescer. Pushes to one ref are handled in arrival order.
 */
export class PrebuildScheduler {
  private readonly serial = new SerialByKey();
  private readonly watches = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: SchedulerDeps) {}

  /** Handle a push in the background; `onError` runs if it could not be handled. */
  schedule(notice: PushNotice, onError: () => Promise<void> = async () => {}): void {
    void this.submit(notice, onError);
  }

  /**
   * Handles a push after the earlier ones to its ref and resolves with what became of it
   * (the entry written to the push log); never rejects: a failure is an outcome too.
   */
  submit(notice: PushNotice, onError: () => Promise<void> = async () => {}): Promise<PushLogEntry> {
    const refKey = `${notice.provider}:${notice.repo.toLowerCase()}:${notice.ref}`;
    return this.serial.run(refKey, async () => {
      await new Promise((r) => setImmediate(r)); // answer the delivery first
      return this.handle(notice, refKey).catch((err: unknown) => this.failed(notice, err, onError));
    });
  }

  /** Resolves when every push scheduled so far has been handled. */
  idle(): Promise<void> {
    return this.serial.idle();
  }

  /** Stops watching delayed pre-builds (their delay still ends them). */
  close(): void {
    for (const timer of this.watches.values()) clearInterval(timer);
    this.watches.clear();
  }

  private async handle(n: PushNotice, refKey: string): Promise<PushLogEntry> {
    const entry = this.d.providers.get(n.provider);
    if (!entry) throw new Error(`provider ${n.provider} is not configured`);
    const sha = n.sha ?? (await this.resolve(n));
    if (!sha) return this.record(n, { outcome: 'ignored', reason: `${n.ref} not found` });
    const provider = entry.create(specFor(n.provider, n.repo, sha));
    const plan = planBuild(entry, provider, sha, this.d.imagePrefix, 'push');
    const refSpecs = movingRefSpecs(n);
    if (refSpecs.length > 0) plan.job.refSpecs = refSpecs;
    const base = { sha, buildName: plan.job.buildName, image: plan.image };
    if (await this.hasImage(plan)) return this.record(n, { ...base, outcome: 'exists' });
    const result = await this.d.coalescer.submit(refKey, plan.job, n.receivedAt);
    if (result.outcome === 'waiting') this.watch(refKey);
    const reason = result.superseded ? `superseded ${result.superseded}` : undefined;
    return this.record(n, { ...base, outcome: result.outcome, ...(reason ? { reason } : {}) });
  }

  /** The commit a ref points at, when the delivery named only the ref (`create`). */
  private async resolve(n: PushNotice): Promise<string | null> {
    const short = splitRef(n.ref)?.name ?? n.ref;
    const provider = this.d.providers.get(n.provider)!.create(specFor(n.provider, n.repo, short));
    return provider.resolveRef();
  }

  private async hasImage(plan: BuildPlan): Promise<boolean> {
    const pauses = this.d.registryRetryMs ?? [1000, 5000];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.d.registry.hasImage(plan.image);
      } catch (err) {
        const pause = pauses[attempt];
        if (!(err instanceof RegistryUnavailableError) || pause === undefined) throw err;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  private async record(
    n: PushNotice,
    e: Omit<PushLogEntry, 'at' | 'event' | 'deliveryId' | 'ref' | 'sha'> & { sha?: string | null },
  ): Promise<PushLogEntry> {
    this.d.metrics.prebuilds.inc({ outcome: e.outcome });
    const entry: PushLogEntry = {
      at: n.receivedAt,
      event: n.event,
      deliveryId: n.deliveryId,
      ref: n.ref,
      ...e,
      sha: e.sha ?? n.sha,
    };
    this.d.log.info({ repo: n.repo, ...entry }, 'pre-build');
    await this.d.pushLog.add(n.provider, n.repo, entry);
    return entry;
  }

  private async failed(
    n: PushNotice,
    err: unknown,
    onError: () => Promise<void>,
  ): Promise<PushLogEntry> {
    const message = err instanceof Error ? err.message : String(err);
    this.d.log.warn({ err, repo: n.repo, ref: n.ref, delivery: n.deliveryId }, 'pre-build failed');
    await onError().catch(() => undefined);
    const entry = { outcome: 'failed', reason: message };
    return this.record(n, entry).catch(() => ({
      ...entry,
      at: n.receivedAt,
      event: n.event,
      deliveryId: n.deliveryId,
      ref: n.ref,
      sha: n.sha,
    }));
  }

  /** Polls until the ref's delayed pre-build may start, then promotes it. */
  private watch(refKey: string): void {
    if (this.watches.has(refKey)) return;
    let busy = false;
    let errors = 0;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.d.coalescer
        .promoteIfUnblocked(refKey)
        .then((done) => {
          errors = 0;
          if (done) this.unwatch(refKey, timer);
        })
        .catch((err: unknown) => {
          this.d.log.debug({ err, refKey }, 'promotion check failed');
          if (++errors >= 10) this.unwatch(refKey, timer);
        })
        .finally(() => (busy = false));
    }, this.d.promotePollMs ?? 2000);
    timer.unref();
    this.watches.set(refKey, timer);
  }

  private unwatch(refKey: string, timer: NodeJS.Timeout): void {
    clearInterval(timer);
    if (this.watches.get(refKey) === timer) this.watches.delete(refKey);
  }
}
