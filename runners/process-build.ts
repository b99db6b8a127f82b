import type { Redis } from 'ioredis';
import type { Config } from '../queue/config/index.js';
import {
  buildJobSchema,
  builtEvent,
  failedEvent,
  JobFailedError,
  type BuildJob,
  type EventBus,
  type KeyNames,
  type Logger,
  withTimeout,
} from '../queue/index.js';
import type { BuildProcessor } from '../queue/build-worker.js';
import type { LastGoodStore } from '../queue/last-good/last-good-store.js';
import type { HostLookup } from '../queue/url-policy/check-repo-host.js';
import type { ImageUse } from '../queue/registry-retention/image-use.js';
import type { BuildBackend } from './build-backend.js';
import { BuildFailedError } from './build-failed-error.js';
import { BuildPublisher } from './build-publisher.js';
import { JobRefusedError } from './job-refused-error.js';
import { watchOrphan } from './orphan-watch.js';
import { recordLastGood } from './record-last-good.js';
import { verifyJob, type VerifiedJob } from './verify-job.js';

/** Observers of each build (metrics, event log); all optional. */
export interface BuildHooks {
  onStart?(job: BuildJob): void;
  onEnd?(
    job: BuildJob,
    outcome: 'success' | 'failure',
    seconds: number,
    reason?: string,
    message?: string,
  ): void;
}

export interface ProcessBuildDeps {
  config: Config;
  backend: BuildBackend;
  bus: EventBus;
  log: Logger;
  hooks?: BuildHooks;
  /** DNS for the URL policy (the system resolver by default). */
  lookupHost?: HostLookup;
  /** Redis and its key names: who follows each build (orphaned builds are cancelled). */
  followers: { redis: Redis; keys: KeyNames };
  /** Where each successful build is recorded as its ref's last good image. */
  lastGood: LastGoodStore;
  /** Records each image pushed (the registry cleaner keeps recently pushed images). */
  imageUse: Pick<ImageUse, 'record'>;
}

/**
 * The cancel signal of a build: aborted (with the reason as a string) when an interactive
 * build has had nobody following it for `BuildQueue.orphan_grace_seconds`. Pre-builds and
 * forced rebuilds are never cancelled. Resolves once the first look is done, so a build
 * whose clients all left while it was queued is not started at all.
 */
async function orphanCancel(deps: ProcessBuildDeps, job: BuildJob) {
  const cancel = new AbortController();
  const q = deps.config.BuildQueue;
  if (job.trigger !== 'launch' || job.rebuild || q.orphan_grace_seconds <= 0)
    return { signal: cancel.signal, stop: () => undefined };
  let first!: () => void;
  const looked = new Promise<void>((resolve) => (first = resolve));
  const stop = watchOrphan({
    ...deps.followers,
    run: { buildName: job.buildName, requestedAt: job.requestedAt },
    graceMs: q.orphan_grace_seconds * 1000,
    intervalMs: 1000,
    settleMs: (q.follower_lease_seconds * 1000) / 3,
    log: deps.log.child({ build: job.buildName }),
    onOrphan: (reason) => cancel.abort(reason),
    onLooked: () => first(),
  });
  // Redis not answering must not hold the build: the watch goes on looking.
  await withTimeout(looked, 5000, 'Redis').catch(() => undefined);
  return { signal: cancel.signal, stop };
}

/**
 * Checks the job (see `verifyJob`); a refused one ends with a `failed` event saying why,
 * and nothing is started.
 */
async function verifyOrRefuse(deps: ProcessBuildDeps, data: BuildJob): Promise<VerifiedJob> {
  try {
    return await verifyJob(deps.config, data, deps.lookupHost);
  } catch (err) {
    if (!(err instanceof JobRefusedError)) throw err;
    const message = `Build refused: ${err.message}`;
    deps.log.warn({ build: data.buildName, reason: message }, 'build refused');
    const publisher = new BuildPublisher(deps.bus, data, deps.log);
    await publisher.finish(failedEvent(message)).catch(() => undefined);
    await publisher.expire(deps.config.BuildQueue.event_history_ttl).catch(() => undefined);
    throw new JobFailedError(message);
  }
}

/**
 * The BullMQ processor: run one build through the backend, publishing every log event,
 * and end with `built` or `failed` (always with a message). A failed build is not
 * retried by the queue: the next request for the image queues it again. Redis being
 * down fails nothing: every event (the final one too) waits until Redis takes it.
 */
export function createBuildProcessor(deps: ProcessBuildDeps): BuildProcessor {
  const { config, backend, bus } = deps;
  const ttl = config.BuildQueue.event_history_ttl;
  return async (job, signal) => {
    const parsed = buildJobSchema.safeParse(job.data);
    if (!parsed.success) throw new JobFailedError(`invalid build job: ${parsed.error.message}`);
    // From here on, only the runner's own recomputed values are used.
    const { job: data, content, spec } = await verifyOrRefuse(deps, parsed.data);
    const log = deps.log.child({ build: data.buildName, image: data.image, trigger: data.trigger });
    const publisher = new BuildPublisher(bus, data, log, signal);
    const started = Date.now();
    deps.hooks?.onStart?.(data);
    log.info(data.rebuild ? 'forced rebuild started' : 'build started');
    const cancel = await orphanCancel(deps, data);
    try {
      if (cancel.signal.aborted)
        throw new BuildFailedError(String(cancel.signal.reason), 'cancelled');
      await backend.run(
        {
          job: data,
          content,
          push: config.BinderHub.use_registry,
          appendix: config.BuildExecutor.appendix,
          extraArgs: config.BuildExecutor.repo2docker_extra_args,
          cancel: cancel.signal,
        },
        publisher.emit,
        signal ?? new AbortController().signal,
      );
    } catch (err) {
      cancel.stop();
      const message =
        err instanceof BuildFailedError
          ? err.message
          : `Build failed: ${(err as Error).message ?? String(err)}`;
      await publisher.finish(failedEvent(message)).catch((e: Error) => {
        log.error({ err: e.message }, 'the failed event could not be published');
      });
      const seconds = (Date.now() - started) / 1000;
      const reason = err instanceof BuildFailedError ? err.reason : 'error';
      deps.hooks?.onEnd?.(data, 'failure', seconds, reason, message);
      log.warn({ seconds, reason: message }, 'build failed');
      await publisher.expire(ttl).catch(() => undefined);
      throw new JobFailedError(message);
    }
    cancel.stop();
    // Retried until Redis takes it: the image exists, and every follower must hear so.
    await publisher.finish(builtEvent(data.image));
    if (config.BinderHub.use_registry) {
      await deps.imageUse.record(data.image).catch((err: Error) => {
        log.warn(
          { err: err.message },
          'image push not recorded (the registry cleaner uses its creation time)',
        );
      });
    }
    // After the followers heard: the record is for the launches that come later.
    await recordLastGood({ config, store: deps.lastGood, log }, spec, data);
    const seconds = (Date.now() - started) / 1000;
    deps.hooks?.onEnd?.(data, 'success', seconds);
    log.info({ seconds }, 'build succeeded');
    await publisher.expire(ttl).catch(() => undefined);
    return { image: data.image, durationMs: Date.now() - started };
  };
}
