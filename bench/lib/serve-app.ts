import type { Server } from 'node:http';
import { createApp } from '../../api/app.js';
import type { AppDeps } from '../../api/app-deps.js';

export interface ServedApp {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

/** Serves `createApp(deps)` on an ephemeral loopback port. */
export async function serveApp(deps: AppDeps): Promise<ServedApp> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('serveApp: no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
