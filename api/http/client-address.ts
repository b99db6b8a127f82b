import { isIP } from 'node:net';
import type { Request } from 'express';
import { HttpError } from './http-error.js';

/** Longest textual IP address accepted (IPv6 with an IPv4 tail and a zone id fits). */
const MAX_ADDRESS_LENGTH = 64;

/** The client address Express derived (through `BinderHub.trust_proxy`) is not an IP. */
export class ClientAddressError extends HttpError {
  constructor(address: string) {
    const shown = JSON.stringify(address.length > 40 ? `${address.slice(0, 40)}…` : address);
    super(
      400,
      `Cannot tell the client address: ${shown} (from X-Forwarded-For) is not an IP address. The proxy in front of this Binder must append the client address to X-Forwarded-For.`,
    );
  }
}

/**
 * The client's address: `req.ip` (the socket's peer, or the X-Forwarded-For entry that
 * `BinderHub.trust_proxy` points at), checked to be an IP address of bounded length;
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4. Throws ClientAddressError otherwise, so
 * that nothing a client typed becomes a Redis key or `binder_client_ip`.
 */
export function clientAddress(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? '';
  if (ip.length > MAX_ADDRESS_LENGTH || isIP(ip) === 0) throw new ClientAddressError(ip);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped). */
function ipv6Groups(ip: string): number[] {
  let text = ip.split('%')[0]!.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}

/**
 * What client limits count by: an IPv4 address, or the /64 network of an IPv6 address
 * (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let
 * one client use 2^64 of them). Canonical, so `::1` and `0:0::1` count as one.
 */
export function clientKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address).slice(0, 4);
  return `${groups.map((g) => g.toString(16)).join(':')}::/64`;
}
