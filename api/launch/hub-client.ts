/** Options of the small JupyterHub REST client. */
export interface HubClientOptions {
  /** e.g. `http://127.0.0.1:8081/hub/api/` (trailing slash). */
  apiUrl: string;
  token: string;
  /** Attempts for one API call on 5xx / network errors. */
  attempts: number;
  retryDelayMs: number;
  fetch?: typeof fetch;
  observe?: (outcome: string, seconds: number) => void;
}

/** A hub API answer that is not a success; `status` 0 for network errors. */
export class HubRequestError extends Error {
  override readonly name = 'HubRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Backoff with full jitter: between 50% and 100% of `base * 2^attempt`. */
export function backoffMs(base: number, attempt: number, random = Math.random): number {
  const ceiling = base * 2 ** attempt;
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * JupyterHub REST calls with retries on 5xx and network errors (backoff with jitter);
 * a 409 on a retry counts as success (the first attempt went through), as upstream does.
 */
export class HubClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: HubClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async request(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    let lastError: HubRequestError | undefined;
    for (let attempt = 0; attempt < this.opts.attempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(this.opts.retryDelayMs, attempt - 1), signal);
      const started = performance.now();
      let res: Response;
      try {
        res = await this.fetchImpl(new URL(path, this.opts.apiUrl), {
          method,
          headers: {
            authorization: `token ${this.opts.token}`,
            'content-type': 'application/json',
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
        });
      } catch (err) {
        this.opts.observe?.('error', (performance.now() - started) / 1000);
        if (signal.aborted) throw err;
        lastError = new HubRequestError(
          0,
          `JupyterHub is not reachable: ${(err as Error).message}`,
        );
        continue;
      }
      this.opts.observe?.(String(res.status), (performance.now() - started) / 1000);
      if (res.ok || (res.status === 409 && attempt > 0)) return res;
      const text = await res.text().catch(() => '');
      lastError = new HubRequestError(
        res.status,
        `JupyterHub answered ${res.status} to ${method} ${path}: ${text.slice(0, 300)}`,
      );
      if (res.status < 500) throw lastError;
    }
    throw lastError ?? new HubRequestError(0, 'JupyterHub request failed');
  }

  /** A streaming GET (the spawn progress event stream). */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const res = await this.fetchImpl(new URL(path, this.opts.apiUrl), {
      headers: { authorization: `token ${this.opts.token}`, accept: 'text/event-stream' },
      signal,
    });
    if (!res.ok || !res.body)
      throw new HubRequestError(res.status, `JupyterHub progress stream answered ${res.status}`);
    return res;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
