import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** The API server refused a log request (`code` is its HTTP status, `body` its Status). */
export class PodLogRequestError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`log request failed with HTTP ${code}`);
    this.name = 'PodLogRequestError';
  }
}

/**
 * Opens `GET /api/v1/namespaces/<ns>/pods/<pod>/log` with the kubeconfig's credentials
 * and resolves with the streaming response. Unlike client-node's `Log`, which pipes
 * the body into a stream and never tells it about a connection reset, the caller gets
 * the response itself and sees `error`/`close` when the connection dies.
 */
export async function openPodLog(
  kubeConfig: KubeConfig,
  namespace: string,
  pod: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<http.IncomingMessage> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(
    `${server.replace(/\/$/, '')}/api/v1/namespaces/${namespace}/pods/${pod}/log`,
  );
  for (const [k, v] of Object.entries(query))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const opts: https.RequestOptions = { method: 'GET', headers: {} };
  await kubeConfig.applyToHTTPSOptions(opts);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, opts, (res) => {
      if (res.statusCode === 200) return resolve(res);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 65_536) body += d; // a Status object; never mind the rest
      });
      res.on('end', () => reject(new PodLogRequestError(res.statusCode ?? 0, body)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
