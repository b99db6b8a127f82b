import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isBlockedAddress } from './blocked-address.js';
import { bareHostname, effectivePort } from './default-port.js';
import type { PrivateHostAllowList } from './private-host-allow-list.js';
import { UrlPolicyError } from './url-policy-error.js';

/** Every address a host name resolves to. */
export type HostLookup = (host: string) => Promise<string[]>;

export const systemLookup: HostLookup = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** A repository URL whose host was resolved once and found allowed, with the address to use. */
export interface CheckedRepoUrl {
  url: URL;
  port: number;
  /** Every address the host resolved to (all of them passed the check). */
  addresses: string[];
  /** The address every git call connects to (pinned: no second DNS answer counts). */
  address: string;
}

/**
 * Resolves the URL's host once and checks EVERY address: one private address (unless
 * the allow-list admits it) refuses the whole URL, so a DNS answer mixing a public and a
 * private address cannot slip through.
 */
export async function checkRepoHost(
  url: URL,
  allow: PrivateHostAllowList,
  lookupHost: HostLookup = systemLookup,
): Promise<CheckedRepoUrl> {
  const host = bareHostname(url);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await lookupHost(host);
  } catch (err) {
    throw new UrlPolicyError(`Cannot resolve host ${host}: ${(err as Error).message}`);
  }
  if (addresses.length === 0) throw new UrlPolicyError(`Cannot resolve host ${host}`);
  for (const address of addresses) {
    if (isBlockedAddress(address) && !allow.allows(url, address)) {
      throw new UrlPolicyError(
        `Repositories on private or local addresses are not allowed here (${url.host})`,
      );
    }
  }
  return { url, port: effectivePort(url), addresses, address: addresses[0]! };
}
