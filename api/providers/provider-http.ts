import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkRepoHost, type HostLookup } from '../../queue/url-policy/check-repo-host.js';
import type { PrivateHostAllowList } from '../../queue/url-policy/private-host-allow-list.js';
import { UrlPolicyError } from '../../queue/url-policy/url-policy-error.js';
import { ResolveError } from './repo-provider.js';

/** One HTTP answer; `body` is '' when it was not read. */
export interface HttpAnswer {
  status: number;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProviderHttpOptions {
  /** Private addresses these requests may use (the URL policy's exceptions). */
  allow: PrivateHostAllowList;
  lookupHost?: HostLookup;
  /** Per request, answer included. */
  timeoutMs: number;
  /** Largest body read; a larger answer fails the request. */
  maxBytes: number;
  /** Redirects followed by `follow` (each one checked like the first URL). */
  maxRedirects: number;
  /** Sent with every request (e.g. an API token); User-Agent is BinderHub. */
  headers?: Record<string, string>;
}

export interface GetOptions {
  signal?: AbortSignal;
  /** false: headers only (the connection is closed after them). */
  readBody?: boolean;
  headers?: Record<string, string>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A lookup that answers with the one checked address, whatever is asked. */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * The api's HTTP client for data providers (DOI resolvers, Zenodo, Dataverse, CKAN, …),
 * under the URL policy like git: http(s) only, the host resolved once and every address
 * checked (block list, `GitRepoProvider.allowed_private_hosts`, the provider's configured
 * endpoints), the connection pinned to the checked address, redirects followed only by
 * `follow`, each hop checked again; a time limit per request and a size limit per body.
 * Every failure is a ResolveError with a message for the user.
 */
export class ProviderHttp {
  constructor(private readonly o: ProviderHttpOptions) {}

  /** One GET, no redirects followed. */
  async get(url: URL, opts: GetOptions = {}): Promise<HttpAnswer> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ResolveError(`Refusing to fetch ${url.protocol} URLs (${url.href})`);
    if (url.username || url.password) throw new ResolveError('Refusing URLs with credentials');
    let address: string;
    try {
      ({ address } = await checkRepoHost(url, this.o.allow, this.o.lookupHost));
    } catch (err) {
      if (err instanceof UrlPolicyError) throw new ResolveError(err.message);
      throw err;
    }
    return this.exchange(url, address, opts);
  }

  /** GETs, following up to `maxRedirects` redirects (each hop checked); the last answer. */
  async follow(url: URL, opts: GetOptions = {}): Promise<HttpAnswer> {
    let current = url;
    for (let hop = 0; ; hop++) {
      const answer = await this.get(current, opts);
      const location = answer.headers.location;
      if (!REDIRECTS.has(answer.status) || !location) return answer;
      if (hop >= this.o.maxRedirects)
        throw new ResolveError(`Too many redirects from ${url.href} (more than ${hop})`);
      try {
        current = new URL(location, current);
      } catch {
        throw new ResolveError(`${current.host} redirected to an invalid URL`);
      }
    }
  }

  private exchange(url: URL, address: string, opts: GetOptions): Promise<HttpAnswer> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(opts.signal?.aborted ? (opts.signal.reason as Error) : err);
      };
      const timer = setTimeout(
        () =>
          fail(new ResolveError(`${url.host} did not answer within ${this.o.timeoutMs / 1000} s`)),
        this.o.timeoutMs,
      );
      const req = send(url, {
        method: 'GET',
        agent: false,
        lookup: pinnedLookup(address),
        signal: opts.signal,
        headers: { 'user-agent': 'BinderHub', ...this.o.headers, ...opts.headers },
      });
      req.on('error', (err) =>
        fail(new ResolveError(`${url.host} is not reachable: ${err.message}`)),
      );
      req.on('response', (res: IncomingMessage) => {
        const done = (body: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, url, headers: res.headers, body });
        };
        if (opts.readBody === false) {
          res.destroy();
          return done('');
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.o.maxBytes)
            return fail(new ResolveError(`${url.host} sent more than ${this.o.maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
        res.on('error', (err) => fail(new ResolveError(`${url.host}: ${err.message}`)));
      });
      req.end();
    });
  }
}
