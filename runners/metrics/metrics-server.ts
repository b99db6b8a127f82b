import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../../queue/index.js';
import type { RunnerHealthReport } from './runner-health.js';

export interface MetricsServer {
  /** The port actually bound (useful when asked for 0). */
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  /** `Runner.metrics_port`; 0 picks a free port. */
  port: number;
  registry: Registry;
  health: () => Promise<RunnerHealthReport>;
  log: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(head ? undefined : JSON.stringify(body));
}

async function handle(
  opts: MetricsServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { status: 405, error: `${req.method} is not allowed` }, false);
  }
  if (path === '/metrics') {
    const text = await opts.registry.metrics();
    res.writeHead(200, { 'content-type': opts.registry.contentType });
    return void res.end(head ? undefined : text);
  }
  if (path === '/health') {
    const report = await opts.health();
    return sendJson(res, report.ok ? 200 : 503, report, head);
  }
  sendJson(res, 404, { status: 404, error: `Not found: ${path} (try /metrics or /health)` }, head);
}

/** The runner's own HTTP server: `GET|HEAD /metrics` and `GET|HEAD /health`, nothing else. */
export function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const log = opts.log.child({ component: 'metrics-server' });
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      log.error({ err }, 'metrics request failed');
      if (!res.headersSent)
        sendJson(res, 500, { status: 500, error: 'Internal Server Error' }, false);
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      log.info({ host: opts.host, port }, 'runner metrics and health listening');
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
