import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServedGitRepo } from './stack.js';

const execFileAsync = promisify(execFile);

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'binderhub-ts tests',
  GIT_AUTHOR_EMAIL: 'tests@binderhub-ts.invalid',
  GIT_COMMITTER_NAME: 'binderhub-ts tests',
  GIT_COMMITTER_EMAIL: 'tests@binderhub-ts.invalid',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: GIT_ENV });
  return stdout.trim();
}

/**
 * Commits submodules into a served repository (`.gitmodules` plus a gitlink per entry,
 * each pinned to `sha`) and pushes; returns the new commit.
 */
export async function addSubmodules(
  repo: ServedGitRepo,
  modules: Array<{ path: string; url: string; sha: string }>,
): Promise<string> {
  const text = modules
    .map((m) => `[submodule "${m.path}"]\n\tpath = ${m.path}\n\turl = ${m.url}\n`)
    .join('');
  await writeFile(path.join(repo.dir, '.gitmodules'), text);
  await git(repo.dir, 'add', '.gitmodules');
  for (const m of modules) {
    await git(repo.dir, 'update-index', '--add', '--cacheinfo', `160000,${m.sha},${m.path}`);
  }
  await git(repo.dir, 'commit', '--quiet', '--no-gpg-sign', '-m', 'submodules');
  await git(repo.dir, 'push', '--quiet', 'origin', 'main');
  return git(repo.dir, 'rev-parse', 'HEAD');
}
