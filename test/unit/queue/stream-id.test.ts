import { describe, expect, it } from 'vitest';
import { compareStreamIds, parseStreamId } from '../../../queue/stream-id.js';

describe('stream ids', () => {
  it('orders by milliseconds, then sequence, numerically', () => {
    expect(compareStreamIds('1-0', '1-0')).toBe(0);
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareStreamIds('1795643075054-3', '1795643075054-10')).toBeLessThan(0);
    expect(compareStreamIds('1795643075055-0', '1795643075054-99999')).toBeGreaterThan(0);
    expect(compareStreamIds('18446744073709551615-2', '18446744073709551615-1')).toBeGreaterThan(0);
  });

  it('accepts only well-formed ids from clients', () => {
    expect(parseStreamId('1795643075054-3')).toBe('1795643075054-3');
    expect(parseStreamId('done-abc')).toBeUndefined();
    expect(parseStreamId('1-2-3')).toBeUndefined();
    expect(parseStreamId(undefined)).toBeUndefined();
  });
});
