import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
  port: number;
  /** TCP connections accepted so far (a request needs one; a port scan too). */
  readonly connections: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that records every connection and request (with its
 * Authorization header) and answers with `respond` — by default a 401 asking for Basic
 * credentials, so a git client that has any offers them.
 */
export async function startRecordingServer(
  respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="recording"' });
    res.end();
  },
): Promise<RecordingServer> {
  let connections = 0;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    respond(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('recording server: no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    port: address.port,
    get connections() {
      return connections;
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
