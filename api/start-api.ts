import type { Server } from 'node:http';
import type { Config } from '../queue/config/index.js';
import type { Logger } from '../queue/index.js';
import { createApp } from './app.js';
import { createApiDeps, type ApiDepsOverrides, type ApiRuntime } from './create-api-deps.js';

export interface RunningApi {
  server: Server;
  runtime: ApiRuntime;
  url: string;
  close(): Promise<void>;
}

/** Builds the api's dependencies and listens on `BinderHub.bind_host:port` (port 0 = any). */
export async function startApi(
  config: Config,
  log: Logger,
  overrides: ApiDepsOverrides = {},
): Promise<RunningApi> {
  const runtime = createApiDeps(config, log, overrides);
  const app = createApp(runtime.deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.BinderHub.port, config.BinderHub.bind_host, (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.BinderHub.port;
  const url = `http://${config.BinderHub.bind_host}:${port}${config.BinderHub.base_url}`;
  log.info({ url }, 'api listening');
  return {
    server,
    runtime,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}
