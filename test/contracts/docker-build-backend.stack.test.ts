import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger } from '../../queue/index.js';
import { createBackend } from '../../runners/create-backend.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { buildBackendContract, type BuildKind } from './build-backend.contract.js';

// The build-backend contract against the real Docker backend: repo2docker on the stack's
// engine, pushes to the stack's registry.
const RUN: Record<BuildKind, string> = {
  succeeds: 'RUN echo built',
  fails: 'RUN echo "about to fail" && exit 3',
  slow: 'RUN for i in $(seq 1 120); do echo "tick $i"; sleep 1; done',
};

buildBackendContract('docker (Runner.backend: docker, the stack)', async () => {
  const s = await requireStack();
  const workDir = await mkdtemp(join(tmpdir(), 'bhts-contract-'));
  const config = parseConfig({
    Runner: { backend: 'docker' },
    DockerRegistry: { url: s.registryUrl },
    DockerBuildExecutor: { repo2docker_path: s.repo2dockerPath, work_dir: workDir },
  });
  const backend = await createBackend(config, createLogger({ level: 'warn', name: 'contract' }));
  const repos: ServedGitRepo[] = [];
  return {
    backend,
    imagePrefix: s.imagePrefix,
    async repo(kind) {
      // A line of its own defeats Docker's layer cache: every build really runs.
      const dockerfile = [
        'FROM binderhub-ts/jupyter-base:1',
        `RUN echo "run ${randomUUID()}"`,
        RUN[kind],
        '',
      ].join('\n');
      const repo = await serveGitRepo({ Dockerfile: dockerfile });
      repos.push(repo);
      return { url: repo.url, sha: repo.sha };
    },
    async close() {
      await backend.close();
      await Promise.all(repos.map((r) => r.close()));
      await rm(workDir, { recursive: true, force: true });
    },
  };
});
