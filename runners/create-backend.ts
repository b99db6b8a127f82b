import type { Config } from '../queue/config/index.js';
import type { Logger } from '../queue/index.js';
import type { BuildBackend } from './build-backend.js';
import { DockerBuildBackend } from './docker/docker-backend.js';
import { FakeBuildBackend } from './fake/fake-build-backend.js';

/**
 * The configured build backend (`Runner.backend`). The Kubernetes client (~60 MB of
 * memory once loaded) is only imported when that backend is chosen.
 */
export async function createBackend(config: Config, log: Logger): Promise<BuildBackend> {
  if (config.Runner.backend === 'kubernetes') {
    const { createKubernetesBackend } = await import('./kubernetes/create-kubernetes-backend.js');
    return createKubernetesBackend(config, log);
  }
  if (config.Runner.backend === 'fake') {
    const f = config.FakeBuildExecutor;
    return new FakeBuildBackend({
      logLines: f.log_lines,
      lineIntervalMs: f.line_interval * 1000,
      outcome: f.outcome,
      failMatching: f.fail_matching,
      failureMessage: f.failure_message,
      log: log.child({ backend: 'fake' }),
    });
  }
  const d = config.DockerBuildExecutor;
  const r = config.DockerRegistry;
  return new DockerBuildBackend({
    repo2dockerPath: d.repo2docker_path,
    dockerHost: d.docker_host,
    workDir: d.work_dir || DockerBuildBackend.defaultWorkDir(),
    idleTimeout: config.BuildExecutor.idle_timeout,
    maxAge: config.BuildExecutor.max_age,
    pushAttempts: d.push_attempts,
    pushRetryDelayMs: d.push_retry_delay * 1000,
    registryCredentials:
      config.BinderHub.use_registry && r.username
        ? { registry: r.url, username: r.username, password: r.password }
        : undefined,
    log: log.child({ backend: 'docker' }),
  });
}
