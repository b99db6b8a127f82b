import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitConfigArgs, type GitAccess } from '../../queue/url-policy/git-access.js';
import { gitCommandEnv, type LsRemoteOptions } from './git-ls-remote.js';

/** The server accepted the `want` and starts its answer: the commit is there. */
const ACCEPTED = /fetch< (shallow-info|acknowledgments|packfile)$/m;
/** The server says it has no such object (protocol v2's upload-pack, GitHub, GitLab). */
const MISSING = /not our ref|no such remote ref|couldn't find remote ref/i;

/**
 * Whether a repository has the commit `sha`, asked cheaply: a shallow fetch of that one
 * commit (`--depth=1 --filter=tree:0`) into an empty scratch repository, cut short as
 * soon as the server accepts the request (git's packet trace shows its answer begin),
 * so nothing but the negotiation crosses the wire. Protocol v2 servers (git 2.26+ http-
 * backend and daemon, GitHub, GitLab) answer for any commit. Undefined when the answer
 * says neither (an older protocol that refuses to be asked, the server unreachable, a
 * timeout): the caller goes on as before, and the build reports what it finds. Same
 * pinning, no-redirect and credential settings as ls-remote.
 */
export async function gitCommitExists(
  access: GitAccess,
  sha: string,
  opts: LsRemoteOptions,
): Promise<boolean | undefined> {
  const scratch = await mkdtemp(join(tmpdir(), 'bhts-commit-check-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const init = spawn('git', ['init', '--quiet', '--bare', scratch], { stdio: 'ignore' });
      init.on('error', reject);
      init.on('close', () => resolve());
    });
    return await probe(access, sha, scratch, opts);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function probe(
  access: GitAccess,
  sha: string,
  scratch: string,
  opts: LsRemoteOptions,
): Promise<boolean | undefined> {
  const args = [
    ...gitConfigArgs(access),
    '-c',
    'protocol.version=2',
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    '--depth=1',
    '--filter=tree:0',
    '--',
    access.cloneUrl,
    sha,
  ];
  const env = {
    ...gitCommandEnv(access, opts.allowedProtocols),
    GIT_TRACE_PACKET: '1',
    GIT_DIR: scratch,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      shell: false,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: opts.timeoutMs,
      signal: opts.signal,
      env,
    });
    let err = '';
    let accepted = false;
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-64 * 1024);
      if (!accepted && ACCEPTED.test(err)) {
        accepted = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', (e) => (opts.signal?.aborted ? reject(e) : resolve(undefined)));
    child.on('close', (code) => {
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (accepted || code === 0) return resolve(true);
      resolve(MISSING.test(err) ? false : undefined);
    });
  });
}
