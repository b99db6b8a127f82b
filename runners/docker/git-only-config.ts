import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// repo2docker tries other content providers before git, and some of them fetch on their
// own, outside git and its pinning: CKAN (any URL with "/dataset/" in its path) GETs
// `<host>/api/3/action/status_show` with redirects followed; Mercurial runs `hg identify`
// on any URL not ending in `.git`; the DOI providers resolve doi.org links. A Binder
// link here is always a git repository, so git is the only provider left.
const GIT_ONLY = [
  '# written by binderhub-ts: git is the only content provider',
  'from repo2docker.contentproviders import Git',
  'c.Repo2Docker.content_providers = [Git]',
  '',
].join('\n');

/** Writes the repo2docker config file into `dir`; returns its path (for `--config`). */
export async function writeGitOnlyConfig(dir: string): Promise<string> {
  const path = join(dir, 'repo2docker-git-only.py');
  await writeFile(path, GIT_ONLY, { mode: 0o600 });
  return path;
}
