import { isIP } from 'node:net';
import { bareHostname, effectivePort } from './default-port.js';

/** `host` or `host:port` (IPv6 in brackets): a host name or address, optionally one port. */
export interface HostEntry {
  host: string;
  port?: number;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`; undefined when it is none of these. */
export function parseHostEntry(entry: string): HostEntry | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  if (m[1] !== undefined) {
    if (isIP(m[1]) !== 6) return undefined;
    // The form URL parsing gives the address (compressed, lower case).
    return { host: new URL(`http://[${m[1]}]/`).hostname.slice(1, -1), port };
  }
  const host = m[2]!.toLowerCase();
  return NAME.test(host) ? { host, port } : undefined;
}

/** True when the URL's host is the entry's (and its port, when the entry names one). */
export function hostEntryMatches(entry: HostEntry, url: URL): boolean {
  if (entry.host !== bareHostname(url)) return false;
  return entry.port === undefined || entry.port === effectivePort(url);
}
