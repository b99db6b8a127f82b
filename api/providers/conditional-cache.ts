import type { HttpAnswer } from './provider-http.js';
import { TtlCache } from './ttl-cache.js';

interface Entry<T> {
  etag?: string;
  lastModified?: string;
  value: T;
}

/**
 * What was read from a URL, kept with its validators: the next request asks with
 * If-None-Match / If-Modified-Since, and a 304 reuses the value (the record has not
 * changed). Like the GitHub provider's ETag cache; LRU-bounded.
 */
export class ConditionalCache<T> {
  private readonly entries: TtlCache<Entry<T>>;

  constructor(size = 1024) {
    this.entries = new TtlCache(size);
  }

  /** The request headers that revalidate what is kept for `url`. */
  headersFor(url: string): Record<string, string> {
    const e = this.entries.get(url);
    if (!e) return {};
    return {
      ...(e.etag ? { 'if-none-match': e.etag } : {}),
      ...(e.lastModified ? { 'if-modified-since': e.lastModified } : {}),
    };
  }

  /** The kept value when `answer` is a 304 for it. */
  notModified(url: string, answer: HttpAnswer): T | undefined {
    return answer.status === 304 ? this.entries.get(url)?.value : undefined;
  }

  /** Keeps `value` read from a 200 answer, when the answer has validators. */
  keep(url: string, answer: HttpAnswer, value: T): void {
    const etag = answer.headers.etag;
    const lastModified = answer.headers['last-modified'];
    if (!etag && !lastModified) return;
    this.entries.set(url, { etag, lastModified, value });
  }
}
