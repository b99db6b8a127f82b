import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files that let a detached repo2docker outlive the runner that started it: its
 * pid, its combined output, its exit code (written when it ends), and how far into the
 * output the runner has published (so a runner that re-attaches does not repeat lines).
 */
export class BuildFiles {
  readonly log: string;
  readonly exit: string;
  private readonly pid: string;
  private readonly offset: string;
  private readonly owner: string;

  constructor(dir: string, buildName: string) {
    this.log = join(dir, `${buildName}.log`);
    this.exit = join(dir, `${buildName}.exit`);
    this.pid = join(dir, `${buildName}.pid`);
    this.offset = join(dir, `${buildName}.offset`);
    this.owner = join(dir, `${buildName}.owner`);
  }

  /** Which job started the build on disk (a stale build of an earlier job is not re-attached). */
  async readOwner(): Promise<string> {
    return (await readFile(this.owner, 'utf8').catch(() => '')).trim();
  }

  writeOwner(owner: string): Promise<void> {
    return writeFile(this.owner, owner);
  }

  static async prepare(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
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

  async readOffset(): Promise<number> {
    const n = Number((await readFile(this.offset, 'utf8').catch(() => '0')).trim());
    return Number.isFinite(n) && n >= 0 ? n : 0;
  }

  writeOffset(n: number): Promise<void> {
    return writeFile(this.offset, String(n));
  }

  async clear(): Promise<void> {
    await Promise.all(
      [this.log, this.exit, this.pid, this.offset, this.owner].map((f) => rm(f, { force: true })),
    );
  }
}
