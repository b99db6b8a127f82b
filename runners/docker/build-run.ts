import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What started a run: the job (image and request time) and when it started. */
export interface RunMeta {
  /** `<image> <requestedAt>` of the job that started the run. */
  job: string;
  /** When the run started (ms since epoch): the epoch of its events' positions. */
  epochMs: number;
}

/**
 * The files of one run of repo2docker, detached from the runner that started it, in a
 * folder of their own (`<work dir>/<build name>/<epoch>-<random>/`): its pid, its
 * combined output, its exit code (written when it ends), who started it, and whether
 * its image was pushed. A later run of the same build never shares a file with it.
 */
export class BuildRun {
  readonly log: string;
  readonly exit: string;
  private readonly pid: string;
  private readonly metaFile: string;
  private readonly pushed: string;

  private constructor(
    readonly dir: string,
    readonly meta: RunMeta,
  ) {
    this.log = join(dir, 'log');
    this.exit = join(dir, 'exit');
    this.pid = join(dir, 'pid');
    this.metaFile = join(dir, 'meta.json');
    this.pushed = join(dir, 'pushed');
  }

  /** A new run's folder, with its meta written. */
  static async create(workDir: string, buildName: string, job: string): Promise<BuildRun> {
    const epochMs = Date.now();
    const dir = join(workDir, buildName, `${epochMs}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const run = new BuildRun(dir, { job, epochMs });
    await writeFile(run.metaFile, JSON.stringify(run.meta));
    return run;
  }

  /** The runs of a build on disk, newest first (folders without a readable meta are skipped). */
  static async list(workDir: string, buildName: string): Promise<BuildRun[]> {
    const base = join(workDir, buildName);
    const names = await readdir(base).catch(() => [] as string[]);
    const runs: BuildRun[] = [];
    for (const name of names) {
      const dir = join(base, name);
      const meta = await readFile(join(dir, 'meta.json'), 'utf8')
        .then((t) => JSON.parse(t) as RunMeta)
        .catch(() => undefined);
      if (meta && typeof meta.job === 'string' && Number.isFinite(meta.epochMs))
        runs.push(new BuildRun(dir, meta));
    }
    return runs.sort((a, b) => b.meta.epochMs - a.meta.epochMs);
  }

  /**
   * Removes runs that ended (or whose process is gone) more than `ageMs` ago, and the
   * build folders left empty; `alive` tells a live pid from a dead one.
   */
  static async prune(workDir: string, ageMs: number, alive: (pid: number) => boolean) {
    const builds = await readdir(workDir).catch(() => [] as string[]);
    const cutoff = Date.now() - ageMs;
    for (const build of builds.filter((b) => b.startsWith('build-'))) {
      for (const run of await BuildRun.list(workDir, build)) {
        if (run.meta.epochMs > cutoff) continue;
        const pid = await run.readPid();
        if ((await run.readExitCode()) !== undefined || pid === undefined || !alive(pid))
          await run.remove();
      }
      await rmdir(join(workDir, build)).catch(() => undefined);
    }
  }

  async readPid(): Promise<number | undefined> {
    const n = Number((await readFile(this.pid, 'utf8').catch(() => '')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }

  writePid(pid: number): Promise<void> {
    return writeFile(this.pid, String(pid));
  }

  async readExitCode(): Promise<number | undefined> {
    const text = (await readFile(this.exit, 'utf8').catch(() => '')).trim();
    return text === '' ? undefined : Number(text);
  }

  async isPushed(): Promise<boolean> {
    return readFile(this.pushed).then(
      () => true,
      () => false,
    );
  }

  markPushed(): Promise<void> {
    return writeFile(this.pushed, '');
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
