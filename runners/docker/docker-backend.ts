import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve as absolute } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../queue/index.js';
import type { BuildBackend, BuildRequest, EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { isFailureLine, parseLogLine } from '../log-line.js';
import { writeRepo2dockerConfig } from '../content-provider-config.js';
import { repo2dockerArgs } from '../repo2docker-args.js';
import { BuildFiles } from './build-files.js';
import { readFrom } from './log-tail.js';
import { killGroup, processAlive } from './process-alive.js';

export interface DockerBackendOptions {
  repo2dockerPath: string;
  dockerHost: string;
  workDir: string;
  /** Seconds without output before a build is failed (0 = off). */
  idleTimeout: number;
  /** Seconds a build may run (0 = off). */
  maxAge: number;
  /** Registry credentials for `--push`, passed as CONTAINER_ENGINE_REGISTRY_CREDENTIALS. */
  registryCredentials?: { registry: string; username: string; password: string };
  pollMs?: number;
  log: Logger;
}

// Runs repo2docker with its output in a file and its exit code written when it ends, so
// the build survives the runner. Arguments reach repo2docker as "$@": nothing is interpolated.
const WRAPPER =
  '"$0" "$@" >"$BHTS_LOG" 2>&1; echo $? >"$BHTS_EXIT.tmp"; mv "$BHTS_EXIT.tmp" "$BHTS_EXIT"';

/**
 * The single-machine backend: repo2docker against the local Docker engine, detached
 * from the runner. A runner that picks up a stalled job finds the build still running
 * (by its pid file) and re-attaches, continuing the log where the last runner stopped.
 */
export class DockerBuildBackend implements BuildBackend {
  readonly name = 'docker';
  private version: string | undefined;

  constructor(private readonly o: DockerBackendOptions) {}

  static defaultWorkDir(): string {
    return join(tmpdir(), 'binderhub-ts-builds');
  }

  async run(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void> {
    await BuildFiles.prepare(this.o.workDir);
    const files = new BuildFiles(this.o.workDir, req.job.buildName);
    const log = this.o.log.child({ build: req.job.buildName });
    const owner = `${req.job.image} ${req.job.requestedAt}`;
    const pid = await files.readPid();
    const running =
      pid !== undefined &&
      (await files.readOwner()) === owner &&
      ((await files.readExitCode()) !== undefined || (await processAlive(pid, req.job.image)));
    if (running) {
      log.info({ pid }, 're-attaching to a build that is still running');
    } else {
      await files.clear();
      const args = repo2dockerArgs(req, await writeRepo2dockerConfig(this.o.workDir));
      const child = spawn('sh', ['-c', WRAPPER, this.o.repo2dockerPath, ...args], {
        detached: true,
        // Not the runner's directory: nothing there can pass for a local repository.
        cwd: this.o.workDir,
        stdio: 'ignore',
        env: this.env(req, files),
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      child.unref();
      await files.writePid(child.pid!);
      await files.writeOwner(owner);
      log.info({ pid: child.pid }, 'repo2docker started');
    }
    try {
      await this.follow(files, (await files.readPid())!, emit, signal);
    } finally {
      await files.clear();
    }
  }

  private env(req: BuildRequest, files: BuildFiles): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      // Absolute: repo2docker runs in the work dir.
      BHTS_LOG: absolute(files.log),
      BHTS_EXIT: absolute(files.exit),
    };
    if (this.o.dockerHost) env.DOCKER_HOST = this.o.dockerHost;
    // The job's content provider and the address guard; for git the pinned settings and
    // host-scoped credentials (see contentAccessFor).
    Object.assign(env, req.content.env);
    if (this.o.registryCredentials)
      env.CONTAINER_ENGINE_REGISTRY_CREDENTIALS = JSON.stringify(this.o.registryCredentials);
    return env;
  }

  /** Publishes new output until the exit code appears; enforces the idle and age limits. */
  private async follow(
    files: BuildFiles,
    pid: number,
    emit: EmitEvent,
    signal: AbortSignal,
  ): Promise<void> {
    const started = Date.now();
    let offset = await files.readOffset();
    let lastOutput = Date.now();
    let rest = '';
    let failure: string | undefined;
    let lastLine = '';
    const pollMs = this.o.pollMs ?? 150;
    for (;;) {
      const exitCode = await files.readExitCode();
      const chunk = await readFrom(files.log, offset);
      if (chunk.data.length > 0) {
        lastOutput = Date.now();
        // Each line is published at its end's byte offset: a re-attached runner that reads
        // a line again publishes nothing new.
        let position = chunk.offset - chunk.data.length - Buffer.byteLength(rest);
        const lines = (rest + chunk.data.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          position += Buffer.byteLength(line) + 1;
          const event = parseLogLine(line);
          if (!event) continue;
          if (isFailureLine(event)) failure = event.message;
          lastLine = event.message ?? lastLine;
          await emit(event, position);
        }
        offset = chunk.offset - Buffer.byteLength(rest);
        await files.writeOffset(offset);
      }
      if (exitCode !== undefined) {
        if (rest.trim()) await emit(parseLogLine(rest)!, offset + Buffer.byteLength(rest));
        if (exitCode === 0) return;
        throw new BuildFailedError(
          failure?.trim() || `repo2docker exited with code ${exitCode}: ${lastLine.trim()}`,
        );
      }
      if (signal.aborted) {
        killGroup(pid);
        throw new BuildFailedError('The build was cancelled', 'cancelled');
      }
      const now = Date.now();
      if (this.o.idleTimeout > 0 && now - lastOutput > this.o.idleTimeout * 1000) {
        killGroup(pid);
        throw new BuildFailedError(
          `The build printed nothing for ${this.o.idleTimeout} seconds and was stopped (BuildExecutor.idle_timeout)`,
          'idle',
        );
      }
      if (this.o.maxAge > 0 && now - started > this.o.maxAge * 1000) {
        killGroup(pid);
        throw new BuildFailedError(
          `The build ran longer than ${this.o.maxAge} seconds and was stopped (BuildExecutor.max_age)`,
          'max_age',
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
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
