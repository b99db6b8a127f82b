import { describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../../../queue/url-policy/blocked-address.js';

// Addresses a public Binder must never fetch from. The first group was let through by
// the former guard (api/providers/private-address.ts): IPv6 forms that embed or tunnel
// to IPv4 (127.0.0.1 and 169.254.169.254 here), site-local, and reserved IPv4.
describe('the address block list', () => {
  it.each([
    ['::7f00:1', 'IPv4-compatible 127.0.0.1 (::/96)'],
    ['::a9fe:a9fe', 'IPv4-compatible 169.254.169.254 (::/96)'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:a9fe:a9fe::1', '6to4 of 169.254.169.254'],
    ['fec0::1', 'site-local'],
    ['::ffff:0:7f00:1', 'IPv4-translated 127.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['100::1', 'discard-only'],
    ['192.0.2.1', 'documentation'],
    ['192.0.0.8', 'IETF protocol assignments'],
  ])('blocks %s (%s), which the former guard let through', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
  ])('still blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '140.82.112.3', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450::1'])(
    'lets the public address %s through',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it('blocks what is not an address at all (fail closed)', () => {
    expect(isBlockedAddress('localhost')).toBe(true);
    expect(isBlockedAddress('')).toBe(true);
  });
});
