import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What a route answers. `body` as a string or bytes; objects are sent as JSON with an ETag. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type Route = (
  req: IncomingMessage,
  url: URL,
) => Answer | Promise<Answer | undefined> | undefined;

export interface LoggedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingMessage['headers'];
}

/**
 * A loopback HTTP server for stand-ins of the data services (DOI resolver, Zenodo,
 * Figshare, Dataverse, HydroShare, CKAN, Software Heritage): routes tried in order, faults
 * injected per path prefix (`fault`), every request logged, JSON answers with an ETag
 * and 304 for a matching If-None-Match (as the services' CDNs answer).
 */
export class DataServer {
  readonly requests: LoggedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults = new Map<string, Answer | ((req: IncomingMessage) => Answer)>();
  private server: Server | undefined;
  origin = '';

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `${this.origin}/`;
  }

  route(route: Route): void {
    this.routes.push(route);
  }

  /** Answers requests whose path starts with `prefix` with `answer` until the returned undo. */
  fault(prefix: string, answer: Answer | ((req: IncomingMessage) => Answer)): () => void {
    this.faults.set(prefix, answer);
    return () => this.faults.delete(prefix);
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): LoggedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('data server: no port');
    this.origin = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = `${url.pathname}${url.search}`;
    this.requests.push({ method: req.method ?? '', path, headers: req.headers });
    try {
      const fault = [...this.faults].find(([prefix]) => path.startsWith(prefix))?.[1];
      const answer = fault
        ? typeof fault === 'function'
          ? fault(req)
          : fault
        : await this.answer(req, url);
      send(req, res, answer ?? { status: 404, body: { status: 404, message: 'Not found' } });
    } catch (err) {
      send(req, res, { status: 500, body: `stand-in error: ${(err as Error).message}` });
    }
  }

  private async answer(req: IncomingMessage, url: URL): Promise<Answer | undefined> {
    for (const route of this.routes) {
      const answer = await route(req, url);
      if (answer) return answer;
    }
    return undefined;
  }
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  const json =
    answer.body !== undefined && typeof answer.body === 'object' && !Buffer.isBuffer(answer.body);
  const body: string | Buffer = json
    ? JSON.stringify(answer.body)
    : ((answer.body as string | Buffer | undefined) ?? '');
  const headers: Record<string, string> = {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...answer.headers,
  };
  const status = answer.status ?? 200;
  if (json && status === 200) {
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    headers.etag = etag;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
  }
  res.writeHead(status, headers);
  res.end(body);
}

/** A redirect answer. */
export function redirect(location: string, status = 302): Answer {
  return { status, headers: { location }, body: '' };
}

/** A landing page (what a DOI resolves to). */
export function page(title: string): Answer {
  return { headers: { 'content-type': 'text/html' }, body: `<html><title>${title}</title></html>` };
}
