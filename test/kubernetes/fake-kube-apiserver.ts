/**
 * A stand-in Kubernetes API server on 127.0.0.1 speaking the real wire format for the
 * pod calls the build backend makes: create (201 / 409 AlreadyExists), get, list,
 * watch (newline-delimited JSON with resourceVersions, 410 Expired on a compacted
 * resume), pods/log (follow, tailLines, timestamps, sinceTime) and delete. Tests drive
 * phases and log lines, drop watches and log streams, and read the request log.
 * It is a test double: no scheduling, kubelet, admission or validation. It is kept
 * only for what the real local cluster (test/kubernetes/cluster/) will not do on
 * demand: 410 Gone, evictions and OOM kills, stuck image pulls, finished pods left
 * over from earlier builds, pods hours old.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKubeState, matchesSelector, type Json, type WatchEvent } from './fake-kube-state.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/log)?$/;
const TERMINAL = new Set(['Succeeded', 'Failed']);

function status(code: number, reason: string, message: string, name?: string): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(name ? { details: { name, kind: 'pods' } } : {}),
    code,
  };
}

function sendJson(res: ServerResponse, code: number, body: Json): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Json;
}

/** RFC3339(Nano) → comparable `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn`. */
const sortable = (ts: string) => {
  const [sec, frac = ''] = ts.replace(/Z$/, '').split('.');
  return `${sec}.${frac.padEnd(9, '0')}`;
};

export class FakeKubeApiServer {
  readonly state = new FakeKubeState();
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private watches = new Set<ServerResponse>();
  private logStreams = new Set<ServerResponse>();
  /** Next N pod creations answer this status instead (e.g. 403, 500). */
  failCreates: { code: number; reason: string; count: number } | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) =>
        sendJson(res, 500, status(500, 'InternalError', err.message)),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url();
  }

  url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const r of [...this.watches, ...this.logStreams]) r.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  // ---- test controls -------------------------------------------------------

  /** Moves a pod to a phase (Running sets startTime and a running container state). */
  setPhase(ns: string, name: string, phase: string, extra: Json = {}): Json {
    return this.state.update(ns, name, (pod) => {
      pod.status = { ...pod.status, phase, ...extra };
      if (phase === 'Running') {
        pod.status.startTime ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        pod.status.containerStatuses ??= [{ name: 'builder', state: { running: {} } }];
      }
    });
  }

  log(ns: string, name: string, ...lines: string[]): void {
    this.state.appendLog(ns, name, lines);
  }

  /** Ends every open watch response (as a proxy or API server restart would). */
  dropWatches(): number {
    const n = this.watches.size;
    for (const r of this.watches) r.end();
    this.watches.clear();
    return n;
  }

  /** Ends every open log stream early (the premature close client-node warns of). */
  dropLogStreams(): number {
    const n = this.logStreams.size;
    for (const r of this.logStreams) r.end();
    this.logStreams.clear();
    return n;
  }

  /** Forgets the watch history: resuming from any older resourceVersion gets 410. */
  compactHistory(): void {
    this.state.minResumeRv = this.state.currentRv() + 1;
  }

  openWatches(): number {
    return this.watches.size;
  }

  count(method: string, pathPattern: RegExp, query: Record<string, string> = {}): number {
    return this.requests.filter(
      (r) =>
        r.method === method &&
        pathPattern.test(r.path) &&
        Object.entries(query).every(([k, v]) => r.query[k] === v),
    ).length;
  }

  // ---- HTTP ----------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    const m = POD_PATH.exec(url.pathname);
    if (!m)
      return sendJson(
        res,
        404,
        status(404, 'NotFound', 'the server could not find the requested resource'),
      );
    const [, ns = '', name, isLog] = m;
    if (req.method === 'POST' && !name) return this.create(ns, await readBody(req), res);
    if (req.method === 'GET' && !name && (query.watch === 'true' || query.watch === '1'))
      return this.watch(ns, url.searchParams, res);
    if (req.method === 'GET' && !name) return this.list(ns, url.searchParams, res);
    if (req.method === 'GET' && name && isLog)
      return this.streamLog(ns, name, url.searchParams, res);
    if (req.method === 'GET' && name) return this.read(ns, name, res);
    if (req.method === 'DELETE' && name) return this.remove(ns, name, res);
    sendJson(res, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
  }

  private create(ns: string, body: Json, res: ServerResponse): void {
    if (this.failCreates && this.failCreates.count-- > 0) {
      const { code, reason } = this.failCreates;
      return sendJson(res, code, status(code, reason, `pods is ${reason.toLowerCase()}`));
    }
    const name = body.metadata?.name as string | undefined;
    if (!name) return sendJson(res, 422, status(422, 'Invalid', 'metadata.name: Required value'));
    if (this.state.get(ns, name))
      return sendJson(
        res,
        409,
        status(409, 'AlreadyExists', `pods "${name}" already exists`, name),
      );
    sendJson(res, 201, this.state.create(ns, body));
  }

  private read(ns: string, name: string, res: ServerResponse): void {
    const pod = this.state.get(ns, name);
    if (!pod) return sendJson(res, 404, status(404, 'NotFound', `pods "${name}" not found`, name));
    sendJson(res, 200, pod);
  }

  private remove(ns: string, name: string, res: ServerResponse): void {
    const pod = this.state.delete(ns, name);
    if (!pod) return sendJson(res, 404, status(404, 'NotFound', `pods "${name}" not found`, name));
    sendJson(res, 200, pod);
  }

  private list(ns: string, q: URLSearchParams, res: ServerResponse): void {
    sendJson(res, 200, {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.state.currentRv()) },
      items: this.state.list(ns, q.get('labelSelector')),
    });
  }

  private watch(ns: string, q: URLSearchParams, res: ServerResponse): void {
    const selector = q.get('labelSelector');
    const rv = q.get('resourceVersion');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as the API server does: the client has its response before any event
    const send = (e: { type: string; object: Json }) => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    };
    if (rv && rv !== '0' && Number(rv) < this.state.minResumeRv) {
      send({
        type: 'ERROR',
        object: status(
          410,
          'Expired',
          `too old resource version: ${rv} (${this.state.minResumeRv})`,
        ),
      });
      return void res.end();
    }
    const relevant = (e: WatchEvent) =>
      e.object.metadata.namespace === ns && matchesSelector(selector, e.object.metadata.labels);
    if (!rv || rv === '0') {
      for (const pod of this.state.list(ns, selector)) send({ type: 'ADDED', object: pod });
    } else {
      for (const e of this.state.history) if (e.rv > Number(rv) && relevant(e)) send(e);
    }
    const off = this.state.onEvent((e) => relevant(e) && send(e));
    this.watches.add(res);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      off();
      clearTimeout(timer);
      this.watches.delete(res);
    });
  }

  private streamLog(ns: string, name: string, q: URLSearchParams, res: ServerResponse): void {
    const pod = this.state.get(ns, name);
    if (!pod) return sendJson(res, 404, status(404, 'NotFound', `pods "${name}" not found`, name));
    if (pod.status?.phase === 'Pending') {
      const container = q.get('container') ?? 'builder';
      return sendJson(
        res,
        400,
        status(
          400,
          'BadRequest',
          `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
        ),
      );
    }
    const since = q.get('sinceTime');
    const tail = q.get('tailLines');
    let lines = this.state
      .logLines(ns, name)
      .filter((l) => !since || sortable(l.ts) >= sortable(since).slice(0, 19));
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    const withTs = q.get('timestamps') === 'true';
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    let sent = this.state.logLines(ns, name).indexOf(lines[0]!);
    if (sent < 0) sent = this.state.logLines(ns, name).length;
    const flush = () => {
      const all = this.state.logLines(ns, name);
      if (res.writableEnded) return;
      for (; sent < all.length; sent++)
        res.write(`${withTs ? `${all[sent]!.ts} ` : ''}${all[sent]!.text}\n`);
    };
    flush();
    const done = () =>
      !this.state.get(ns, name) || TERMINAL.has(this.state.get(ns, name)!.status?.phase);
    if (q.get('follow') !== 'true' || done()) return void res.end();
    this.logStreams.add(res);
    const off = this.state.onLog((n, p) => {
      if (n !== ns || p !== name) return;
      flush();
      if (done()) res.end();
    });
    res.on('close', () => {
      off();
      this.logStreams.delete(res);
    });
  }
}
