import net from 'node:net';
import { createSseParser, type SseMessage } from '../../api/sse/sse-parser.js';

/** One complete SSE frame as a raw client parsed it. */
export type RawFrame = SseMessage;

/**
 * A `/build` client over a raw TCP socket, with HTTP/1.1 chunked decoding done by hand, so
 * a test sees what each network read carried (`reads`) and can stop reading (`pause`).
 */
export interface RawSseClient {
  readonly socket: net.Socket;
  /** Status line of the response (`HTTP/1.1 200 OK`), once the head arrived. */
  readonly status: string;
  /** The decoded body bytes each network read carried ('' for a read of framing only). */
  readonly reads: string[];
  /** Complete frames received so far, in order. */
  readonly frames: RawFrame[];
  /** Resolves when the server ends the response (`Connection: close`) or drops the connection. */
  readonly closed: Promise<void>;
  pause(): void;
  resume(): void;
  destroy(): void;
}

/** Decodes `Transfer-Encoding: chunked` incrementally; returns body bytes as they come. */
class ChunkedDecoder {
  private buf = Buffer.alloc(0);
  private left = -1; // bytes left of the current chunk, -1 = expecting a size line

  push(data: Buffer): Buffer {
    this.buf = Buffer.concat([this.buf, data]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.left < 0) {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) break;
        const line = this.buf.subarray(0, nl).toString('latin1');
        this.buf = this.buf.subarray(nl + 2);
        if (line === '') continue; // the CRLF that closes a chunk's data
        this.left = parseInt(line, 16);
        if (this.left === 0) break; // last chunk
      }
      const take = Math.min(this.left, this.buf.length);
      if (take === 0) break;
      out.push(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      this.left -= take;
      if (this.left === 0) this.left = -1;
    }
    return Buffer.concat(out);
  }
}

/** Opens `GET url` (Accept: text/event-stream) on a raw socket; resolves once connected. */
export function openRawSse(url: URL, headers: Record<string, string> = {}): Promise<RawSseClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const reads: string[] = [];
    const frames: RawFrame[] = [];
    const decoder = new ChunkedDecoder();
    const utf8 = new TextDecoder();
    let head: Buffer | undefined = Buffer.alloc(0);
    let status = '';
    const parse = createSseParser((m) => frames.push(m));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      let body = chunk;
      if (head) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        body = head.subarray(end + 4);
        head = undefined;
      }
      const decoded = utf8.decode(decoder.push(body), { stream: true });
      reads.push(decoded);
      parse(decoded);
    });
    socket.once('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
          `Accept: text/event-stream\r\nConnection: close\r\n${extra.join('')}\r\n`,
      );
      resolve({
        socket,
        get status() {
          return status;
        },
        reads,
        frames,
        closed,
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** Polls `pred` every 10 ms until it holds or `ms` pass; returns whether it held. */
export async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
