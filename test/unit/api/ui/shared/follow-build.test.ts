import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { followBuild, type StreamEvent } from '../../../../../api/ui/shared/follow-build.js';

// followBuild (the launch page's stream client) against a real HTTP server on loopback
// whose answers are scripted per connection.

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let url: string;
let answers: Answer[];
let seen: Array<{
  token: string | null;
  lastEventId: string | undefined;
  accept: string | undefined;
}>;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    seen.push({
      token: q.get('build_token'),
      lastEventId: req.headers['last-event-id'] as string | undefined,
      accept: req.headers.accept,
    });
    const answer = answers.shift();
    if (answer) answer(req, res);
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/build/gh/a/b/HEAD`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  answers = [];
  seen = [];
});

function sse(
  frames: Array<[string | undefined, StreamEvent]>,
  end: 'end' | 'hang' = 'end',
): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [id, event] of frames)
      res.write(`${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(event)}\n\n`);
    if (end === 'end') res.end();
  };
}

const ready = { phase: 'ready', message: 'ok\n', url: 'http://hub/user/x/', token: 't' };

function follow(extra: Partial<Parameters<typeof followBuild>[0]> = {}) {
  const events: StreamEvent[] = [];
  const reconnects: string[] = [];
  const done = followBuild({
    url,
    token: 'jwt',
    onEvent: (e) => events.push(e),
    onReconnect: (_n, _d, reason) => reconnects.push(reason),
    backoffMs: () => 10,
    ...extra,
  });
  return { done, events, reconnects };
}

describe('followBuild', () => {
  it('relays events and returns the final one, sending Accept and the token', async () => {
    answers.push(
      sse([
        [undefined, { phase: 'waiting', message: 'w\n' }],
        ['1-0', { phase: 'building', message: 'b\n' }],
        ['done-x', ready],
      ]),
    );
    const { done, events } = follow();
    expect(await done).toEqual(ready);
    expect(events.map((e) => e.phase)).toEqual(['waiting', 'building']);
    expect(seen).toEqual([{ token: 'jwt', lastEventId: undefined, accept: 'text/event-stream' }]);
  });

  it('resumes from the last build event id when the stream ends early', async () => {
    answers.push(
      sse([
        ['1-0', { phase: 'building', message: 'one\n' }],
        ['2-0', { message: 'two\n' }],
      ]),
    );
    answers.push(
      sse([
        ['3-0', { message: 'three\n' }],
        ['done-y', { phase: 'failed', message: 'boom\n' }],
      ]),
    );
    const { done, events, reconnects } = follow();
    expect(await done).toEqual({ phase: 'failed', message: 'boom\n' });
    expect(events.map((e) => e.message)).toEqual(['one\n', 'two\n', 'three\n']);
    expect(seen.map((s) => s.lastEventId)).toEqual([undefined, '2-0']);
    expect(reconnects).toEqual(['the stream ended before the launch finished']);
  });

  it('drops a silent connection after the idle timeout and reconnects', async () => {
    answers.push(sse([['7-1', { phase: 'building', message: 'x\n' }]], 'hang'));
    answers.push(sse([['done-z', ready]]));
    const { done, reconnects } = follow({ idleTimeoutMs: 150 });
    expect(await done).toEqual(ready);
    expect(reconnects).toEqual(['no data from the server']);
    expect(seen[1]!.lastEventId).toBe('7-1');
  });

  it('stops sending an expired token, and retries a resume refused for its token without it', async () => {
    let now = 1000;
    answers.push(sse([['1-0', { message: 'a\n' }]]));
    answers.push(
      sse([['done-1', { phase: 'failed', status_code: 403, message: 'Invalid build token\n' }]]),
    );
    answers.push(sse([['done-2', ready]]));
    const first = follow({ tokenDeadline: 5000, now: () => now });
    expect(await first.done).toEqual(ready);
    expect(seen.map((s) => s.token)).toEqual(['jwt', 'jwt', null]);

    seen = [];
    now = 6000;
    answers.push(sse([['done-3', ready]]));
    expect(await follow({ tokenDeadline: 5000, now: () => now }).done).toEqual(ready);
    expect(seen[0]!.token).toBeNull();
  });

  it('returns a 403 on the first request as it is', async () => {
    const refused = { phase: 'failed', status_code: 403, message: 'Invalid build token\n' };
    answers.push(sse([['done-1', refused]]));
    expect(await follow().done).toEqual(refused);
    expect(seen).toHaveLength(1);
  });

  it('turns HTTP errors into failures (4xx) or retries (5xx), and 204 into the end', async () => {
    answers.push((_q, res) => res.writeHead(503).end());
    answers.push((_q, res) => res.writeHead(404).end());
    const { done, reconnects } = follow();
    expect(await done).toEqual({
      phase: 'failed',
      status_code: 404,
      message: 'The server refused the request (HTTP 404).',
    });
    expect(reconnects).toEqual(['HTTP 503']);
    answers.push((_q, res) => res.writeHead(204).end());
    expect((await follow().done).message).toMatch(/already finished/);
  });

  it('gives up after maxRetries reconnects that brought nothing', async () => {
    for (let i = 0; i < 4; i++) answers.push((_q, res) => res.writeHead(502).end());
    const { done, reconnects } = follow({ maxRetries: 2 });
    const final = await done;
    expect(final.phase).toBe('failed');
    expect(final.message).toMatch(/^Lost the connection to the server \(HTTP 502\)/);
    expect(reconnects).toHaveLength(2);
    expect(seen).toHaveLength(3);
  });
});
