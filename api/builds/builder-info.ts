import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Config } from '../../queue/config/index.js';

/**
 * `builder_info` for `/versions`, as upstream reports it: the build pod image on
 * Kubernetes, the repo2docker version for local builds (asked once, then cached).
 */
export function builderInfo(config: Config): () => Promise<Record<string, string>> {
  if (config.Runner.backend === 'kubernetes') {
    const info = { build_image: config.KubernetesBuildExecutor.build_image };
    return async () => info;
  }
  let cached: Promise<Record<string, string>> | undefined;
  return () =>
    (cached ??= promisify(execFile)(config.DockerBuildExecutor.repo2docker_path, ['--version'], {
      timeout: 20_000,
    })
      .then(({ stdout }) => ({ 'repo2docker-version': stdout.trim() }))
      .catch(() => ({ 'repo2docker-version': 'unknown' })));
}
