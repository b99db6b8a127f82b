import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../../../../../api/ui/shared/sse-parser.js';

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
});
