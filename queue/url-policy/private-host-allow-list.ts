import { BlockList, isIP } from 'node:net';
import { hostEntryMatches, parseHostEntry, type HostEntry } from './host-entry.js';

/** Parses `a.b.c.d/n` or `v6/n`; undefined when it is not a CIDR block. */
export function parseCidr(
  entry: string,
): { net: string; bits: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(entry.trim());
  if (!m) return undefined;
  const family = isIP(m[1]!);
  const bits = Number(m[2]);
  if (family === 0 || bits > (family === 4 ? 32 : 128)) return undefined;
  return { net: m[1]!, bits, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** True when `entry` is a valid `GitRepoProvider.allowed_private_hosts` entry. */
export function isAllowListEntry(entry: string): boolean {
  return parseCidr(entry) !== undefined || parseHostEntry(entry) !== undefined;
}

/**
 * `GitRepoProvider.allowed_private_hosts`: the exceptions to the private-address block.
 * A `host` or `host:port` entry lets URLs naming exactly that host (and port) reach
 * private addresses; a CIDR entry lets any host whose addresses fall inside it.
 */
export class PrivateHostAllowList {
  private readonly hosts: HostEntry[] = [];
  private readonly cidrs = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const cidr = parseCidr(entry);
      if (cidr) {
        this.cidrs.addSubnet(cidr.net, cidr.bits, cidr.family);
        continue;
      }
      const host = parseHostEntry(entry);
      if (!host) throw new Error(`not a host, host:port or CIDR: "${entry}"`);
      this.hosts.push(host);
    }
  }

  /** May `url` use `address` although it is private? */
  allows(url: URL, address: string): boolean {
    if (this.hosts.some((h) => hostEntryMatches(h, url))) return true;
    const family = isIP(address);
    return family !== 0 && this.cidrs.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
