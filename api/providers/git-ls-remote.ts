import { spawn } from 'node:child_process';
import { gitConfigArgs, type GitAccess } from '../../queue/url-policy/git-access.js';
import { ResolveError } from './repo-provider.js';

export interface LsRemoteOptions {
  allowedProtocols: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The environment of every git command run against a repository: the protocol
 * allow-list enforced by git itself (GIT_ALLOW_PROTOCOL), no prompts, no system config,
 * credentials for the checked host only.
 */
export function gitCommandEnv(
  access: GitAccess,
  allowedProtocols: readonly string[],
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_ALLOW_PROTOCOL: allowedProtocols.join(':'),
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new',
    ...access.credentialEnv,
  };
}

/**
 * `git -c … ls-remote -- <url> <ref>` without a shell, `--` before the positional
 * arguments, under the access's settings (pinned address, no redirects, credentials for
 * that host only), the protocol allow-list enforced by git itself (GIT_ALLOW_PROTOCOL),
 * no prompts, a timeout. Returns the first sha printed, or null when the ref does not exist.
 */
export function gitLsRemote(
  access: GitAccess,
  ref: string,
  opts: LsRemoteOptions,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const args = [...gitConfigArgs(access), 'ls-remote', '--', access.cloneUrl, ref];
    const child = spawn('git', args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
      signal: opts.signal,
      env: gitCommandEnv(access, opts.allowedProtocols),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) =>
      reject(
        opts.signal?.aborted ? e : new ResolveError(`git ls-remote could not run: ${e.message}`),
      ),
    );
    child.on('close', (code, sig) => {
      if (sig === 'SIGTERM' && !opts.signal?.aborted) {
        return reject(new ResolveError(`git ls-remote timed out after ${opts.timeoutMs / 1000} s`));
      }
      if (code !== 0) {
        const reason = err.trim().split('\n').slice(-1)[0] ?? '';
        return reject(new ResolveError(`Unable to run git ls-remote to get the ref: ${reason}`));
      }
      const sha = out.trim().split(/\s+/)[0];
      resolve(sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null);
    });
  });
}
