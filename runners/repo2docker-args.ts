import type { BuildRequest } from './build-backend.js';

/**
 * repo2docker's arguments exactly as upstream passes them; the repository URL (the
 * checked clone URL) goes last, so nothing after it can be read as an option or a command.
 */
export function repo2dockerArgs(req: BuildRequest): string[] {
  const args = [
    `--ref=${req.job.ref}`,
    `--image=${req.job.image}`,
    '--no-clean',
    '--no-run',
    '--json-logs',
    '--user-name=jovyan',
    '--user-id=1000',
  ];
  if (req.appendix) args.push('--appendix', req.appendix);
  if (req.push) args.push('--push');
  args.push(...req.extraArgs, req.git.cloneUrl);
  return args;
}
