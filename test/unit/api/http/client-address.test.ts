import { describe, expect, it } from 'vitest';
import { clientKey } from '../../../../api/http/client-address.js';
import { trustProxySetting } from '../../../../api/http/trust-proxy.js';
import { parseConfig } from '../../../../queue/config/index.js';

describe('client addresses', () => {
  it('counts IPv4 addresses singly and IPv6 addresses by /64, canonically', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:DB8:0000:0001:ffff::9')).toBe('2001:db8:0:1::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('0:0::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});

describe('BinderHub.trust_proxy', () => {
  const trust = (v: unknown) =>
    parseConfig({ BinderHub: { trust_proxy: v } }).BinderHub.trust_proxy;

  it('takes false, a hop count (true = one hop, as upstream) or proxy addresses', () => {
    expect(trustProxySetting(trust(false))).toBe(false);
    expect(trustProxySetting(trust(true))).toBe(1);
    expect(trustProxySetting(trust(2))).toBe(2);
    expect(trustProxySetting(trust(['10.0.0.0/8', '192.0.2.1', 'fd00::/8', 'loopback']))).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses anything else, naming the trait', () => {
    for (const bad of [
      -1,
      1.5,
      'yes',
      [],
      ['10.0.0.0/33'],
      ['proxy.example.org'],
      ['1.2.3.4/8/9'],
    ]) {
      expect(() => trust(bad), JSON.stringify(bad)).toThrowError(/BinderHub\.trust_proxy/);
    }
  });
});
