import { describe, expect, it } from 'vitest';
import { createSseParser, sseMessages, type SseMessage } from '../../../../api/sse/sse-parser.js';

function parseAll(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const feed = createSseParser((m) => out.push(m));
  chunks.forEach(feed);
  return out;
}

describe('createSseParser', () => {
  it('parses data and id lines, ignoring comments', () => {
    expect(parseAll([':keepalive\n\nid: 1-0\ndata: {"a":1}\n\ndata: x\n\n'])).toEqual([
      { id: '1-0', data: '{"a":1}' },
      { data: 'x' },
    ]);
  });
  it('joins multi-line data and handles CRLF and CR line ends', () => {
    expect(parseAll(['data: a\r\ndata: b\r\n\r\ndata:c\r\rdata: d\n\n'])).toEqual([
      { data: 'a\nb' },
      { data: 'c' },
      { data: 'd' },
    ]);
  });
  it('reassembles messages split anywhere across chunks, including inside CRLF', () => {
    const text = 'id: 5-1\r\ndata: {"phase":"building"}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual([
        { id: '5-1', data: '{"phase":"building"}' },
      ]);
    }
  });
  it('does not emit an incomplete message', () => {
    expect(parseAll(['data: partial\n'])).toEqual([]);
  });
  it('hands comment lines to onComment', () => {
    const comments: string[] = [];
    const feed = createSseParser(
      () => undefined,
      (c) => comments.push(c),
    );
    feed(':keepalive\n\n: x\ndata: 1\n\n');
    expect(comments).toEqual(['keepalive', ' x']);
  });
});

describe('sseMessages', () => {
  it('yields the messages of a body whose reads split lines and UTF-8 characters', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: {"m":"é"}\n\ndata: 2\n\ndata: cut');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
        c.close();
      },
    });
    const out: SseMessage[] = [];
    for await (const m of sseMessages(body)) out.push(m);
    expect(out).toEqual([{ id: '1', data: '{"m":"é"}' }, { data: '2' }]);
  });
});
