import { request, type IncomingMessage } from 'node:http';
import { dockerEndpoint } from '../../queue/docker-endpoint.js';

/** The Docker engine could not be asked (not listening, connection cut, timed out). */
export class EngineUnreachableError extends Error {
  override readonly name = 'EngineUnreachableError';
}

export interface EngineRequest {
  method?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** ms until the response starts (default 10 s); a streamed body is not bounded. */
  timeoutMs?: number;
}

/** Reads a response body of JSON lines (the engine's progress streams), one object at a time. */
export async function* jsonLines(res: IncomingMessage): AsyncGenerator<Record<string, unknown>> {
  let rest = '';
  for await (const chunk of res) {
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') yield parsed as Record<string, unknown>;
      } catch {
        // not JSON: skip
      }
    }
  }
}

/** The few calls of the Docker engine API the runner makes itself (repo2docker does the rest). */
export class DockerEngine {
  constructor(private readonly dockerHost: string) {}

  /** One request; resolves with the response (its body unread). */
  request(path: string, o: EngineRequest = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...dockerEndpoint(this.dockerHost),
          path,
          method: o.method ?? 'GET',
          headers: o.headers,
          signal: o.signal,
        },
        (res) => {
          clearTimeout(timer);
          resolve(res);
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error('no answer within the timeout')),
        o.timeoutMs ?? 10_000,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(o.signal?.aborted ? err : new EngineUnreachableError(err.message));
      });
      req.end();
    });
  }

  /** True when the engine has the image (by name and tag). */
  async hasImage(image: string): Promise<boolean> {
    const res = await this.request(`/images/${encodeURIComponent(image)}/json`);
    res.resume();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw new EngineUnreachableError(`the engine answered ${res.statusCode}`);
  }

  /** True when the engine answers `/_ping`. */
  async ping(): Promise<boolean> {
    try {
      const res = await this.request('/_ping', { timeoutMs: 5000 });
      res.resume();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  /**
   * Watches for the engine going away: holds its event stream open (filtered so that
   * nothing is sent) and notes when the connection ends, which happens when the engine
   * stops or restarts. `lostAt()` is undefined while it held.
   */
  watch(): EngineWatch {
    const abort = new AbortController();
    let lost: number | undefined;
    const filters = encodeURIComponent(JSON.stringify({ type: ['daemon'], event: ['none'] }));
    const markLost = () => {
      if (!abort.signal.aborted) lost ??= Date.now();
    };
    this.request(`/events?filters=${filters}`, { signal: abort.signal })
      .then((res) => {
        res.on('error', markLost);
        res.on('close', markLost);
        res.resume();
      })
      .catch(markLost);
    return { lostAt: () => lost, close: () => abort.abort() };
  }
}

export interface EngineWatch {
  /** When the engine's connection ended (ms since epoch), if it did. */
  lostAt(): number | undefined;
  close(): void;
}
