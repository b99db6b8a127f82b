#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startApi } from '../api/start-api.js';
import { ConfigError, loadConfig } from '../queue/config/index.js';
import { createLogger, packageVersion } from '../queue/index.js';
import { startRunnerProcess } from '../runners/start-runner-process.js';

const USAGE = `binderhub-ts <command> [--config FILE]

Commands:
  api           serve Binder links, /build, /health, /metrics, the UI (BinderHub.port)
  runner        run build jobs from the queue (Runner.backend)
  local         api and runner in one process (single machine)
  check-config  validate the configuration and print it (secrets hidden)
  version       print the version

The config file may also be given as $BINDERHUB_CONFIG.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { config: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (command === 'version') return void console.log(packageVersion());
  const config = loadConfig(values.config ?? process.env.BINDERHUB_CONFIG);
  const log = createLogger({ level: config.BinderHub.log_level, name: `binderhub-ts-${command}` });
  if (command === 'check-config') {
    log.info({ config }, 'configuration is valid');
    return;
  }
  const stops: Array<(force: boolean) => Promise<void>> = [];
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  if (command === 'api' || command === 'local') {
    const started = await startApi(config, log);
    api = started;
    stops.push(() => started.close());
  }
  if (command === 'runner' || command === 'local') {
    // `local`: one process, one /metrics — the build series join the api's.
    const runner = await startRunnerProcess(config, log, {
      registry: api?.runtime.deps.metrics.registry,
    });
    stops.push((force) => runner.close(force));
  }
  if (stops.length === 0) throw new ConfigError(`unknown command "${command}"\n\n${USAGE}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Builds keep running detached; another runner (or this one restarted) re-attaches.
    log.info({ signal }, 'stopping');
    Promise.all(stops.map((s) => s(true)))
      .catch((err: Error) => log.error({ err: err.message }, 'error while stopping'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`binderhub-ts: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
