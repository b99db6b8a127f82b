import { parseConfig } from '../../queue/config/index.js';
import { createLogger } from '../../queue/index.js';
import { createBackend } from '../../runners/create-backend.js';
import { buildBackendContract } from './build-backend.contract.js';

// The build-backend contract against `Runner.backend: fake`, chosen by configuration as
// a deployment would choose it. No Docker, no git server: the script decides.
buildBackendContract('fake (Runner.backend: fake)', async () => {
  const config = parseConfig({
    Runner: { backend: 'fake' },
    FakeBuildExecutor: {
      log_lines: Array.from({ length: 20 }, (_, i) => `Step ${i + 1}/20`),
      line_interval: 0.05,
      fail_matching: ['/fails.git'],
    },
  });
  const backend = await createBackend(config, createLogger({ level: 'silent', name: 'fake' }));
  let n = 0;
  return {
    backend,
    imagePrefix: '127.0.0.1:5000/binder-fake-',
    repo: async (kind) => ({
      url: `http://127.0.0.1:9/${kind}.git`,
      sha: `${String(++n).padStart(8, '0')}${'a'.repeat(32)}`,
    }),
    close: () => backend.close(),
  };
});
