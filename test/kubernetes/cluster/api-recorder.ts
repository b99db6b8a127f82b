/**
 * A plain-HTTP front for the real API server that forwards every request unchanged
 * (bearer token included) over TLS and records method, path and query: the calls a
 * runner makes, counted against a real server. Streams (watch, log follow) pass
 * through as they come; `dropStreams()` cuts the open ones as a network fault would.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status?: number;
  /** Calls to the same path still open when this one began (streams overlap). */
  concurrent: number;
}

export class ApiRecorder {
  readonly calls: RecordedCall[] = [];
  private readonly server: http.Server;
  private readonly streams = new Set<Socket>();
  private readonly open = new Map<string, number>();
  private readonly agent: https.Agent;

  constructor(
    private readonly target: URL,
    ca: string,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true });
    this.server = http.createServer((req, res) => this.forward(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls so far that match (method, path regex, query subset). */
  count(method: string, path: RegExp, query: Record<string, string> = {}): number {
    return this.calls.filter(
      (c) =>
        c.method === method &&
        path.test(c.path) &&
        Object.entries(query).every(([k, v]) => c.query[k] === v),
    ).length;
  }

  /** Closes every open watch and log stream (the client sees its connection end). */
  dropStreams(): number {
    const n = this.streams.size;
    for (const s of this.streams) s.destroy();
    this.streams.clear();
    return n;
  }

  async stop(): Promise<void> {
    this.dropStreams();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.agent.destroy();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const open = this.open.get(url.pathname) ?? 0;
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      concurrent: open,
    };
    this.calls.push(call);
    this.open.set(url.pathname, open + 1);
    res.on('close', () => this.open.set(url.pathname, (this.open.get(url.pathname) ?? 1) - 1));
    const streaming = call.query.watch === 'true' || call.query.follow === 'true';
    const upstream = https.request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host },
        agent: streaming ? false : this.agent,
        ca: streaming ? (this.agent.options.ca as string) : undefined,
      },
      (up) => {
        call.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        if (streaming) {
          this.streams.add(req.socket);
          res.on('close', () => this.streams.delete(req.socket));
        }
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
