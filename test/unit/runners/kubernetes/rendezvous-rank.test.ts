import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blake2b } from '../../../../runners/kubernetes/blake2b.js';
import { rendezvousRank } from '../../../../runners/kubernetes/rendezvous-rank.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('blake2b', () => {
  it('matches Python’s hashlib.blake2b(digest_size=8) (vectors computed with CPython)', () => {
    const vectors: Array<[string, string]> = [
      ['', 'e4a6a0577479b2b4'],
      ['abc', 'd8bb14d833d59559'],
      ['crazy frog is a crazy key-b1', 'b9da914aff2a7a49'],
      ['repo-node-a', 'c1bf000c59c9dbef'],
      ['x'.repeat(300), '12b539c1cad94615'],
    ];
    for (const [input, digest] of vectors)
      expect(hex(blake2b(Buffer.from(input), 8)), input).toBe(digest);
  });

  it('matches Node’s blake2b512 for the 64-byte digest, across block boundaries', () => {
    for (const n of [0, 1, 127, 128, 129, 255, 256, 257, 1000]) {
      const data = randomBytes(n);
      expect(hex(blake2b(data, 64)), `length ${n}`).toBe(
        createHash('blake2b512').update(data).digest('hex'),
      );
    }
  });

  it('refuses digest lengths outside 1..64', () => {
    expect(() => blake2b(new Uint8Array(), 0)).toThrow(RangeError);
    expect(() => blake2b(new Uint8Array(), 65)).toThrow(RangeError);
  });
});

describe('rendezvousRank (upstream’s rendezvous_rank)', () => {
  it('ranks as upstream does (orders computed with CPython)', () => {
    expect(rendezvousRank(['b1', 'b2', 'b3'], 'crazy frog is a crazy key')).toEqual([
      'b2',
      'b1',
      'b3',
    ]);
    expect(
      rendezvousRank(
        ['node-a', 'node-b', 'node-c'],
        'https://github.com/binderhub-ci-repos/cached-minimal-dockerfile',
      ),
    ).toEqual(['node-b', 'node-a', 'node-c']);
    const ten = Array.from({ length: 10 }, (_, i) => `node-${i}`);
    expect(rendezvousRank(ten, 'https://example.org/repo.git').slice(0, 3)).toEqual([
      'node-1',
      'node-9',
      'node-6',
    ]);
  });

  it('keeps a key on its bucket when other buckets go (upstream test_rendezvous_rank)', () => {
    const key = 'crazy frog is a crazy key';
    const first = rendezvousRank(['b1', 'b2', 'b3'], key);
    expect(rendezvousRank([first[0]!, first[1]!], key)[0]).toBe(first[0]);
  });

  it('relative order does not depend on other buckets (upstream test_rendezvous_independence)', () => {
    const eighty = rendezvousRank(
      Array.from({ length: 80 }, (_, i) => `b${i}`),
      'k1',
    );
    const hundred = rendezvousRank(
      Array.from({ length: 100 }, (_, i) => `b${i}`),
      'k1',
    );
    expect(hundred.filter((b) => Number(b.slice(1)) < 80)).toEqual(eighty);
  });

  it('moves about a third of keys to an added bucket (upstream test_rendezvous_redistribution)', () => {
    let moved = 0;
    for (let i = 0; i < 3000; i++) {
      const two = rendezvousRank(['b1', 'b2'], `key-${i}`)[0];
      const three = rendezvousRank(['b1', 'b2', 'b3'], `key-${i}`)[0];
      if (two !== three) {
        moved++;
        expect(three).toBe('b3');
      }
    }
    expect(moved / 3000).toBeGreaterThan(0.31);
    expect(moved / 3000).toBeLessThan(0.35);
  });
});
