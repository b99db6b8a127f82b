import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from '../../../runners/line-splitter.js';

// One splitter for both backends' logs (the docker backend's log file, a build pod's log
// stream): lines cut on bytes, each with the byte offset of its end.

const split = (chunks: Array<Buffer | string>, start = 0): SplitLine[] => {
  const s = new LineSplitter(start);
  const out = chunks.flatMap((c) => s.push(c));
  const last = s.end();
  return last ? [...out, last] : out;
};

describe('LineSplitter', () => {
  it('gives each line with the byte offset just after its newline', () => {
    expect(split(['a\nbc', 'd\n\ne'])).toEqual([
      { text: 'a', end: 2 },
      { text: 'bcd', end: 6 },
      { text: '', end: 7 },
      { text: 'e', end: 8 },
    ]);
  });

  it('keeps a UTF-8 character whole when a chunk ends inside it', () => {
    const bytes = Buffer.from('naïve → ok\n');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(split(chunks)).toEqual([{ text: 'naïve → ok', end: bytes.length }]);
  });

  it('counts from where reading started, and ends with nothing left over', () => {
    expect(split(['x\ny\n'], 100)).toEqual([
      { text: 'x', end: 102 },
      { text: 'y', end: 104 },
    ]);
    const s = new LineSplitter();
    expect(s.push('partial')).toEqual([]);
    expect(s.end()).toEqual({ text: 'partial', end: 7 });
    expect(s.end()).toBeUndefined();
  });
});
