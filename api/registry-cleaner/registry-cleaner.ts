import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KeyNames, Logger } from '../../queue/index.js';
import type { ImageKeepers } from '../../queue/registry-retention/image-keepers.js';
import type { ImageUse } from '../../queue/registry-retention/image-use.js';
import { LockTimeoutError, withRedisLock } from '../webhooks/redis-lock.js';
import type { CleanerReport } from './cleaner-report.js';
import { imagePrefixParts, isRepoName, isTag } from './image-prefix-parts.js';
import { planDeletions, type TaggedImage } from './plan-deletions.js';
import type { RegistryV2Client } from './registry-v2-client.js';

export interface RegistryCleanerOptions {
  client: Pick<RegistryV2Client, 'repositories' | 'tags' | 'manifest' | 'deleteManifest'>;
  use: ImageUse;
  keepers: ImageKeepers;
  redis: Redis;
  keys: KeyNames;
  log: Logger;
  metrics: Registry;
  imagePrefix: string;
  maxAgeDays: number;
  maxDeletions: number;
  now?: () => number;
}

/** Another api replica is cleaning right now. */
export class CleanerBusyError extends Error {
  override readonly name = 'CleanerBusyError';
}

const DAY_MS = 86_400_000;

function counters(registry: Registry) {
  const get = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    deleted: get(
      'binderhub_ts_registry_images_deleted_total',
      () =>
        new Counter({
          name: 'binderhub_ts_registry_images_deleted_total',
          help: 'Image manifests the registry cleaner deleted (dry runs not counted)',
          registers: [registry],
        }),
    ),
    runs: get(
      'binderhub_ts_registry_cleaner_runs_total',
      () =>
        new Counter({
          name: 'binderhub_ts_registry_cleaner_runs_total',
          help: 'Registry cleaner runs by outcome (ok, errors, failed)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    lastRun: get(
      'binderhub_ts_registry_cleaner_last_run_timestamp_seconds',
      () =>
        new Gauge({
          name: 'binderhub_ts_registry_cleaner_last_run_timestamp_seconds',
          help: 'When this replica last finished a registry cleaner run',
          registers: [registry],
        }),
    ),
  };
}

/**
 * Deletes this Binder's images not pushed or launched for `maxAgeDays` (the creation
 * time when no use was recorded), except the keepers', through the registry v2 API (by
 * manifest digest). One run at a time across api replicas (a Redis lock); the last
 * report is kept in Redis. The registry's storage is freed by its garbage collection.
 */
export class RegistryCleaner {
  private readonly now: () => number;
  private readonly m: ReturnType<typeof counters>;

  constructor(private readonly o: RegistryCleanerOptions) {
    this.now = o.now ?? Date.now;
    this.m = counters(o.metrics);
  }

  private get reportKey(): string {
    return this.o.keys.key('registry', 'cleaner', 'last-report');
  }

  async lastReport(): Promise<CleanerReport | undefined> {
    const json = await this.o.redis.get(this.reportKey);
    if (!json) return undefined;
    try {
      const report = JSON.parse(json) as CleanerReport;
      return typeof report.finishedAt === 'string' && Array.isArray(report.deleted)
        ? report
        : undefined;
    } catch {
      return undefined; // not ours (or damaged): as if the cleaner had not run
    }
  }

  async run(trigger: CleanerReport['trigger'], dryRun = false): Promise<CleanerReport> {
    const lock = this.o.keys.key('registry', 'cleaner', 'lock');
    try {
      return await withRedisLock(this.o.redis, lock, { ttlMs: 3_600_000, waitMs: 0 }, () =>
        this.runLocked(trigger, dryRun),
      );
    } catch (err) {
      if (err instanceof LockTimeoutError)
        throw new CleanerBusyError('a registry cleaner run is already going on');
      this.m.runs.inc({ outcome: 'failed' });
      throw err;
    }
  }

  private async listTags(report: CleanerReport): Promise<TaggedImage[]> {
    const { host, repoPrefix } = imagePrefixParts(this.o.imagePrefix);
    const repos = (await this.o.client.repositories()).filter(
      (r) => r.startsWith(repoPrefix) && isRepoName(r),
    );
    report.repositories = repos.length;
    const out: TaggedImage[] = [];
    for (const repo of repos) {
      try {
        for (const tag of (await this.o.client.tags(repo)).filter(isTag)) {
          const m = await this.o.client.manifest(repo, tag);
          if (m) out.push({ repo, tag, image: `${host}${repo}:${tag}`, ...m });
        }
      } catch (err) {
        report.errors.push(`${repo}: ${(err as Error).message}`);
      }
    }
    report.tags = out.length;
    return out;
  }

  private async runLocked(
    trigger: CleanerReport['trigger'],
    dryRun: boolean,
  ): Promise<CleanerReport> {
    const started = this.now();
    const report: CleanerReport = {
      startedAt: new Date(started).toISOString(),
      finishedAt: '',
      trigger,
      dryRun,
      maxAgeDays: this.o.maxAgeDays,
      repositories: 0,
      tags: 0,
      deleted: [],
      kept: { recent: 0, keepers: 0, unknownAge: 0 },
      errors: [],
    };
    // Keepers first: a source that fails stops the run before anything is listed or deleted.
    const keep = new Set(await this.o.keepers.imagesToKeep());
    const tags = await this.listTags(report);
    const lastUsed = await this.o.use.lastUsed(tags.map((t) => t.image));
    const plan = planDeletions(
      tags,
      lastUsed,
      keep,
      started,
      this.o.maxAgeDays * DAY_MS,
      this.o.maxDeletions,
    );
    report.kept = plan.kept;
    for (const d of plan.delete) {
      try {
        if (!dryRun) {
          await this.o.client.deleteManifest(d.repo, d.digest);
          await this.o.use.forget(d.images);
          this.m.deleted.inc();
        }
        report.deleted.push({
          images: d.images,
          digest: d.digest,
          lastUsed: new Date(d.lastUsedMs).toISOString(),
        });
        this.o.log.info(
          { images: d.images, digest: d.digest, dryRun },
          'registry cleaner: deleted',
        );
      } catch (err) {
        report.errors.push(`${d.images.join(', ')}: ${(err as Error).message}`);
        if ((err as { status?: number }).status === 405) break;
      }
    }
    report.finishedAt = new Date(this.now()).toISOString();
    await this.o.redis.set(this.reportKey, JSON.stringify(report));
    this.m.runs.inc({ outcome: report.errors.length > 0 ? 'errors' : 'ok' });
    this.m.lastRun.set(Math.floor(this.now() / 1000));
    this.o.log.info(
      {
        trigger,
        dryRun,
        deleted: report.deleted.length,
        kept: report.kept,
        errors: report.errors.length,
      },
      'registry cleaner: run finished',
    );
    return report;
  }
}
