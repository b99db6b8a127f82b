import { BlockList, isIP } from 'node:net';

/**
 * `BinderHub.ban_networks`: CIDR → label. `match(ip)` gives the label of the first
 * network containing the address (IPv4-mapped IPv6 addresses count as IPv4).
 */
export class BanNetworks {
  private readonly nets: Array<{ list: BlockList; label: string }> = [];

  constructor(networks: Record<string, string>) {
    for (const [cidr, label] of Object.entries(networks)) {
      const [address = '', bitsText] = cidr.split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`BinderHub.ban_networks: "${cidr}" is not an IP network`);
      const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
      const list = new BlockList();
      list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
      this.nets.push({ list, label });
    }
  }

  get empty(): boolean {
    return this.nets.length === 0;
  }

  match(ip: string | undefined): string | undefined {
    if (!ip) return undefined;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1]! : ip;
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    return this.nets.find((n) => n.list.check(address, family))?.label;
  }
}
