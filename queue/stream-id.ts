/** Compares two Redis stream ids (`<ms>-<seq>`); negative when a < b. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const dm = BigInt(am) - BigInt(bm);
  if (dm !== 0n) return dm < 0n ? -1 : 1;
  const ds = BigInt(as) - BigInt(bs);
  return ds === 0n ? 0 : ds < 0n ? -1 : 1;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** A well-formed stream id, or undefined (used to validate Last-Event-ID from clients). */
export function parseStreamId(raw: string | undefined): string | undefined {
  return raw && STREAM_ID.test(raw) ? raw : undefined;
}
