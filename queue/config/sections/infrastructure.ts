import { z } from 'zod';
import { FORGET_AFTER_SECONDS } from '../../heartbeat/forget-silent-runners.js';
import { seconds } from './common.js';

/** `Redis.*` — the one Redis that carries the queue, the event relay and caches. */
export const redisSection = z
  .object({
    url: z.string().default('redis://127.0.0.1:6379'),
    /** Prefix of every key this deployment writes (BullMQ's and ours). */
    key_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .default('bhts'),
  })
  .strict();

/** `BuildQueue.*` — the BullMQ queue of build jobs. */
export const buildQueueSection = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('builds'),
    /** BullMQ priority of builds a person is waiting for (1 = highest). */
    interactive_priority: z.number().int().min(1).default(1),
    /** BullMQ priority of webhook pre-builds. */
    prebuild_priority: z.number().int().min(1).default(10),
    keep_completed: z.number().int().nonnegative().default(1000),
    keep_failed: z.number().int().nonnegative().default(1000),
    /** Events kept per build for late joiners and reconnects. */
    event_history: z.number().int().min(100).default(20000),
    /** Bytes of event JSON kept per build; the oldest events go first. */
    event_history_max_bytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(4 * 1024 * 1024),
    /** Largest single event, in bytes of JSON; a longer message is cut. */
    event_max_bytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(64 * 1024),
    /**
     * Bytes an api may hold for one `/build` client that does not read; then it is dropped.
     * At least four 64 KiB replay pages, so a replay always makes progress.
     */
    event_stream_max_buffer: z
      .number()
      .int()
      .min(256 * 1024)
      .default(1024 * 1024),
    /** Seconds a `/build` client may leave its stream undrained before it is dropped (0 = no limit). */
    event_stream_stall_timeout: seconds().default(30),
    /**
     * Seconds of silence after which a `/build` stream re-reads its build's history and
     * job: a build that ended without its final event (lost while Redis was down) is
     * then reported, instead of waited for forever.
     */
    follow_check_interval: seconds().min(1).default(15),
    /** Seconds a finished build's event history (its log) is kept. */
    event_history_ttl: seconds().default(86400),
    /**
     * Seconds an interactive build may run with nobody following it (every `/build`
     * stream of it closed) before it is cancelled; 0 = never cancel. Pre-builds,
     * forced rebuilds and builds a fallback launch asked for are never cancelled.
     */
    orphan_grace_seconds: seconds().default(60),
    /**
     * Seconds an api process's claim that it follows a build lasts without renewal (it is
     * renewed every third of this): a crashed api stops keeping a build alive this long
     * after its last renewal.
     */
    follower_lease_seconds: seconds().min(3).default(15),
    /** Seconds the last good image of a ref is remembered after it was last recorded. */
    last_good_ttl: seconds()
      .min(60)
      .default(90 * 86400),
    /**
     * Who may read a build's log after it ended (`/logs/<build>`, `/api/builds/<build>/log`):
     * `public` (anyone, as anyone may follow it live on `/build`) or `operators` (a Dashboard token).
     */
    build_log_access: z.enum(['public', 'operators']).default('public'),
    /**
     * Builds of one repository running at once, across every runner (0 = no limit). The
     * others wait, saying why, and leave their runner slot to other repositories.
     */
    per_repo_concurrency: z.number().int().nonnegative().default(2),
    /** Seconds a build's repository slot is held without renewal: a dead runner's comes back after this. */
    per_repo_lease: seconds().min(5).default(30),
    /** Seconds between two tries of a build waiting for its repository (it is also woken when a slot frees). */
    per_repo_recheck: seconds().min(1).default(5),
  })
  .strict()
  .refine((q) => q.event_stream_max_buffer >= 4 * q.event_max_bytes, {
    message: 'event_stream_max_buffer must be at least 4 × event_max_bytes',
    path: ['event_stream_max_buffer'],
  });

/** `BuildExecutor.*` — settings shared by every build backend (upstream names). */
export const buildExecutorSection = z
  .object({
    appendix: z.string().default(''),
    repo2docker_extra_args: z.array(z.string()).default([]),
    /** Fail a build that prints nothing for this many seconds (0 = off). */
    idle_timeout: seconds().default(900),
    /** Fail a build that runs longer than this many seconds (0 = off). */
    max_age: seconds().default(14400),
  })
  .strict();

/** `Runner.*` — the build worker process. */
export const runnerSection = z
  .object({
    backend: z.enum(['docker', 'kubernetes', 'fake']).default('docker'),
    concurrency: z.number().int().min(1).max(256).default(2),
    /** Port of the runner's own /metrics and /health (0 = off). */
    metrics_port: z.number().int().min(0).max(65535).default(8586),
    heartbeat_interval: seconds().default(10),
    /** Seconds after which a silent runner's heartbeat is dropped (a dead runner). */
    forget_after: seconds().min(60).default(FORGET_AFTER_SECONDS),
  })
  .strict();

/** `DockerBuildExecutor.*` — repo2docker against the local Docker engine. */
export const dockerBuildExecutorSection = z
  .object({
    repo2docker_path: z.string().default('jupyter-repo2docker'),
    /** DOCKER_HOST for repo2docker and the image check ('' = Docker's default). */
    docker_host: z.string().default(''),
    /** Folder for per-build state (container ids, logs of detached builds). */
    work_dir: z.string().default(''),
    /** Pushes of a built image tried before the build fails (the registry unavailable). */
    push_attempts: z.number().int().min(1).max(20).default(5),
    /** Seconds before the second push attempt; doubled for each next one. */
    push_retry_delay: z.number().nonnegative().default(2),
  })
  .strict();
