import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve as absolute } from 'node:path';
import { promisify } from 'node:util';
import type { BuildEvent, Logger } from '../../queue/index.js';
import type { BuildBackend, BuildRequest, EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { buildTimeLimits } from '../build-time-limits.js';
import { NO_CACHE_ENV, writeRepo2dockerConfig } from '../content-provider-config.js';
import { repo2dockerArgs } from '../repo2docker-args.js';
import { buildFailureMessage } from './build-failure-message.js';
import { BuildRun } from './build-run.js';
import { DockerEngine } from './docker-engine.js';
import { followRun, type RunOutcome } from './follow-run.js';
import { pushImage, type RegistryCredentials } from './image-push.js';
import { processAlive } from './process-alive.js';

export interface DockerBackendOptions {
  repo2dockerPath: string;
  dockerHost: string;
  workDir: string;
  /** `BuildExecutor.idle_timeout`: seconds without output before a build is stopped (0 = off). */
  idleTimeout: number;
  /** `BuildExecutor.max_age`: seconds a build may run (0 = off). */
  maxAge: number;
  /** Registry credentials for pushing (X-Registry-Auth). */
  registryCredentials?: RegistryCredentials;
  /** Pushes tried before the build fails, and the first delay between them (ms). */
  pushAttempts?: number;
  pushRetryDelayMs?: number;
  pollMs?: number;
  log: Logger;
}

// Runs repo2docker with its output in a file and its exit code written when it ends, so
// the build survives the runner. Arguments reach repo2docker as "$@": nothing is interpolated.
const WRAPPER =
  '"$0" "$@" >"$BHTS_LOG" 2>&1; echo $? >"$BHTS_EXIT.tmp"; mv "$BHTS_EXIT.tmp" "$BHTS_EXIT"';

/** Finished runs (and runs whose process is gone) are kept this long, then removed. */
const KEEP_RUNS_MS = 60 * 60 * 1000;

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The single-machine backend: repo2docker against the local Docker engine, detached
 * from the runner, then the push through the engine (retried with backoff). Each run
 * has its own files (see BuildRun). A runner asked to build an image whose run is
 * still going (a runner restarted, a job queued again after Redis lost it) re-attaches
 * to that run instead of starting a second; an image already in the engine is only pushed.
 */
export class DockerBuildBackend implements BuildBackend {
  readonly name = 'docker';
  private version: string | undefined;
  private readonly engine: DockerEngine;
  /** Runs this process follows now: a second job on the same run waits for the first. */
  private readonly following = new Map<string, Promise<void>>();

  constructor(private readonly o: DockerBackendOptions) {
    this.engine = new DockerEngine(o.dockerHost);
  }

  static defaultWorkDir(): string {
    return join(tmpdir(), 'binderhub-ts-builds');
  }

  async run(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void> {
    const log = this.o.log.child({ build: req.job.buildName });
    await BuildRun.prune(this.o.workDir, KEEP_RUNS_MS, pidAlive);
    const owner = `${req.job.image} ${req.job.requestedAt}`;
    let run = await this.findRun(req, owner);
    if (run) {
      log.info({ run: run.dir }, 're-attaching to a build that is still running');
    } else if (
      !req.job.rebuild &&
      req.push &&
      (await this.engine.hasImage(req.job.image).catch(() => false))
    ) {
      log.info('the image is in the engine already: pushing it, not building it again');
      return this.pushFound(req, emit, signal, log);
    } else {
      run = await this.start(req, owner, log);
    }
    const key = run.dir;
    let done = this.following.get(key);
    if (!done) {
      done = this.complete(run, req, emit, signal, log).finally(() => this.following.delete(key));
      this.following.set(key, done);
    }
    await done;
  }

  /**
   * A run to re-attach to: the newest whose process still runs (whichever job started
   * it: the same image), else a finished run of this very job (its runner stopped before
   * reporting). Finished runs of earlier jobs are history, not re-attached.
   */
  private async findRun(req: BuildRequest, owner: string): Promise<BuildRun | undefined> {
    for (const run of await BuildRun.list(this.o.workDir, req.job.buildName)) {
      const exit = await run.readExitCode();
      if (exit !== undefined) {
        if (run.meta.job === owner) return run;
        continue;
      }
      const pid = await run.readPid();
      if (pid !== undefined && (await processAlive(pid, req.job.image))) return run;
    }
    return undefined;
  }

  private async start(req: BuildRequest, owner: string, log: Logger): Promise<BuildRun> {
    const run = await BuildRun.create(this.o.workDir, req.job.buildName, owner);
    const config = await writeRepo2dockerConfig(this.o.workDir);
    // The runner pushes (with retries) once the image is built.
    const args = repo2dockerArgs({ ...req, push: false }, config);
    const child = spawn('sh', ['-c', WRAPPER, this.o.repo2dockerPath, ...args], {
      detached: true,
      // Not the runner's directory: nothing there can pass for a local repository.
      cwd: this.o.workDir,
      stdio: 'ignore',
      env: this.env(req, run),
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    await run.writePid(child.pid!);
    log.info({ pid: child.pid, run: run.dir }, 'repo2docker started');
    return run;
  }

  /** Follows the run to its end, then pushes its image (once per run). */
  private async complete(
    run: BuildRun,
    req: BuildRequest,
    emit: EmitEvent,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const outcome = await this.follow(run, req, emit, signal, log);
    if (req.cancel?.aborted) throw new BuildFailedError(String(req.cancel.reason), 'cancelled');
    if (!req.push || (await run.isPushed())) return;
    let position = outcome.endOffset;
    await this.push(req, (e) => emit(e, ++position, run.meta.epochMs), signal, log);
    await run.markPushed();
  }

  private async follow(
    run: BuildRun,
    req: BuildRequest,
    emit: EmitEvent,
    signal: AbortSignal,
    log: Logger,
  ): Promise<RunOutcome> {
    const watch = this.engine.watch();
    try {
      const pid = (await run.readPid()) ?? 0;
      const limits = {
        ...buildTimeLimits({ idle_timeout: this.o.idleTimeout, max_age: this.o.maxAge }),
        pollMs: this.o.pollMs ?? 150,
        cancel: req.cancel,
        log,
      };
      const outcome = await followRun(run, pid, req.job.image, emit, signal, limits);
      if (outcome.exitCode === 0) return outcome;
      const facts = {
        ...outcome,
        engineRestarted: watch.lostAt() !== undefined,
        engineReachable: await this.engine.ping(),
      };
      log.warn({ ...facts, lastLine: outcome.lastLine.slice(0, 500) }, 'repo2docker failed');
      throw new BuildFailedError(buildFailureMessage(facts));
    } finally {
      watch.close();
    }
  }

  /** The image was built before (its push failed): push it, telling the people waiting. */
  private async pushFound(req: BuildRequest, emit: EmitEvent, signal: AbortSignal, log: Logger) {
    const epochMs = Date.now();
    let position = 0;
    const say = (e: BuildEvent) => emit(e, ++position, epochMs);
    await say({ phase: 'building', message: `Found image ${req.job.image}, built earlier\n` });
    await this.push(req, say, signal, log);
  }

  private push(
    req: BuildRequest,
    say: (e: BuildEvent) => Promise<void>,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    return pushImage(req.job.image, {
      engine: this.engine,
      credentials: this.o.registryCredentials,
      attempts: this.o.pushAttempts ?? 5,
      retryDelayMs: this.o.pushRetryDelayMs ?? 2000,
      say,
      signal,
      log,
    });
  }

  private env(req: BuildRequest, run: BuildRun): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      // Absolute: repo2docker runs in the work dir.
      BHTS_LOG: absolute(run.log),
      BHTS_EXIT: absolute(run.exit),
    };
    if (this.o.dockerHost) env.DOCKER_HOST = this.o.dockerHost;
    // The job's content provider and the address guard; for git the pinned settings and
    // host-scoped credentials (see contentAccessFor).
    Object.assign(env, req.content.env);
    // A forced rebuild builds every layer again (repo2docker_config.py reads it).
    if (req.job.rebuild) env[NO_CACHE_ENV] = '1';
    return env;
  }

  async builderInfo(): Promise<Record<string, string>> {
    if (!this.version) {
      const { stdout } = await promisify(execFile)(this.o.repo2dockerPath, ['--version'], {
        timeout: 20_000,
      }).catch(() => ({ stdout: 'unknown' }));
      this.version = stdout.trim();
    }
    return { 'repo2docker-version': this.version };
  }

  async close(): Promise<void> {}
}
