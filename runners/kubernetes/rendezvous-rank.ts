import { blake2b } from './blake2b.js';

/** Score of `bucket` for `key`: the 8-byte BLAKE2b of `"<key>-<bucket>"`, big-endian. */
function score(key: string, bucket: string): bigint {
  const digest = blake2b(new TextEncoder().encode(`${key}-${bucket}`), 8);
  return new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0, false);
}

/**
 * Rendezvous (highest random weight) hashing as upstream's `rendezvous_rank`: every
 * bucket scored for the key, highest first (ties broken by the bucket name,
 * descending, as Python's reverse tuple sort does). A key keeps its bucket when other
 * buckets come or go.
 */
export function rendezvousRank(buckets: readonly string[], key: string): string[] {
  return buckets
    .map((bucket) => ({ bucket, s: score(key, bucket) }))
    .sort((a, b) => (a.s === b.s ? cmp(b.bucket, a.bucket) : a.s < b.s ? 1 : -1))
    .map((x) => x.bucket);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
