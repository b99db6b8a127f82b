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

  private async exchange(url: URL, address: string, opts: GetOptions): Promise<HttpAnswer> {
    const deadline = AbortSignal.timeout(this.o.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    try {
      const res = await this.request(url, address, signal, opts.headers);
      let body = '';
      if (opts.readBody === false) res.destroy();
      else body = await readLimited(res, this.o.maxBytes, url);
      return { status: res.statusCode ?? 0, url, headers: res.headers, body };
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (deadline.aborted)
        throw new ResolveError(`${url.host} did not answer within ${this.o.timeoutMs / 1000} s`);
      if (err instanceof ResolveError) throw err;
      throw new ResolveError(`${url.host} is not reachable: ${(err as Error).message}`);
    }
  }

  /** Sends the GET to the checked address; resolves with the response's head. */
  private request(
    url: URL,
    address: string,
    signal: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<IncomingMessage> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: 'GET',
        agent: false,
        lookup: pinnedLookup(address),
        signal,
        headers: { 'user-agent': 'BinderHub', ...this.o.headers, ...headers },
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }
}

/** The body as text; a ResolveError past `maxBytes`, an error when cut short. */
function readLimited(res: IncomingMessage, maxBytes: number, url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      reject(new ResolveError(`${url.host} sent more than ${maxBytes} bytes`));
      res.destroy();
    });
    res.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.once('error', reject);
    res.once('close', () => ended || reject(new Error('the answer was cut short')));
  });
}
