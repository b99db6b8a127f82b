import type { BuildRequest } from './build-backend.js';

/**
 * repo2docker's arguments exactly as upstream passes them, after `--config=<configFile>`
 * (the content-provider configuration, content-provider-config.ts); the repository (the
 * checked clone URL, the DOI, …) goes last, so nothing after it can be read as an option
 * or a command.
 */
export function repo2dockerArgs(req: BuildRequest, configFile: string): string[] {
  const args = [
    `--config=${configFile}`,
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
  args.push(...req.extraArgs, req.content.repo);
  return args;
}
