import net from 'node:net';

/** Called with each `data:` payload (JSON text) and the time its bytes arrived (ms). */
export type FrameHandler = (data: string, arrivedAt: number) => void;

export interface SseSocket {
  /** Number of `data:` frames received so far. */
  readonly frames: number;
  /** Resolves when the response is closed by the server or the socket fails. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * A minimal Server-Sent Events client over a raw TCP socket, cheap enough to hold
 * thousands from one process: one GET, `Accept: text/event-stream`, no agent, no
 * keep-alive pool. Each `data:` line is passed on as it arrives (the api writes one
 * whole frame per chunk, so chunked-encoding framing lines never split a `data:` line,
 * and they are ignored). Resolves once the first frame has arrived.
 */
export function openSseSocket(
  url: URL,
  onFrame: FrameHandler = () => undefined,
  now: () => number = () => performance.now(),
): Promise<SseSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    let buffer = '';
    let frames = 0;
    let statusChecked = false;
    let endedResolve: () => void = () => undefined;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const handle: SseSocket = {
      get frames() {
        return frames;
      },
      ended,
      close: () => socket.destroy(),
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
          'Accept: text/event-stream\r\nConnection: keep-alive\r\n\r\n',
      );
    });
    socket.on('data', (chunk: string) => {
      const at = now();
      buffer += chunk;
      if (!statusChecked) {
        if (buffer.indexOf('\r\n') < 0) return;
        statusChecked = true;
        if (!buffer.startsWith('HTTP/1.1 200')) {
          socket.destroy();
          reject(new Error(`SSE request answered ${buffer.slice(0, buffer.indexOf('\r\n'))}`));
          return;
        }
      }
      // Complete lines only; a line split across reads waits for its end. The `data:`
      // lines are found with indexOf over the whole text (no slice per line): with
      // thousands of streams in one process, the client's own parsing would otherwise
      // delay the reads it timestamps.
      const cut = buffer.lastIndexOf('\n');
      if (cut < 0) return;
      const text = buffer;
      buffer = buffer.slice(cut + 1);
      for (let i = text.indexOf('data: '); i >= 0 && i < cut; i = text.indexOf('data: ', i + 6)) {
        if (i > 0 && text.charCodeAt(i - 1) !== 10) continue; // not at a line start
        const end = text.indexOf('\n', i);
        frames++;
        onFrame(text.slice(i + 6, end), at);
        if (frames === 1) resolve(handle);
      }
    });
    socket.on('error', (err) => {
      reject(err);
      endedResolve();
    });
    socket.on('close', () => {
      reject(new Error('SSE socket closed before the first event'));
      endedResolve();
    });
  });
}

/** Opens `count` streams, at most `inFlight` being set up at a time. */
export async function openMany(
  count: number,
  inFlight: number,
  open: () => Promise<SseSocket>,
): Promise<SseSocket[]> {
  const out: SseSocket[] = [];
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      out.push(await open());
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return out;
}
