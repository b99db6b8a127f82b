import { describe, expect, it } from 'vitest';
import { checkRepoHost, type HostLookup } from '../../../../queue/url-policy/check-repo-host.js';
import {
  isAllowListEntry,
  PrivateHostAllowList,
} from '../../../../queue/url-policy/private-host-allow-list.js';
import { UrlPolicyError } from '../../../../queue/url-policy/url-policy-error.js';

// DNS is the one thing replaced here (a table of answers): the checks themselves are pure.
const dns: Record<string, string[]> = {
  'public.example': ['140.82.112.3', '140.82.112.4'],
  'mixed.example': ['140.82.112.3', '10.0.0.7'],
  'rebind.example': ['8.8.8.8', '169.254.169.254'],
  'v6.example': ['2606:4700:4700::1111'],
  'git.internal': ['10.1.2.3'],
  'other.internal': ['10.1.9.9'],
};
const lookup: HostLookup = async (host) => {
  const answer = dns[host];
  if (!answer) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return answer;
};
const none = new PrivateHostAllowList([]);
const check = (url: string, allow = none) => checkRepoHost(new URL(url), allow, lookup);

describe('resolving and checking a repository host', () => {
  it('resolves once and pins the first address when every address is public', async () => {
    const checked = await check('https://public.example/r.git');
    expect(checked.addresses).toEqual(['140.82.112.3', '140.82.112.4']);
    expect(checked.address).toBe('140.82.112.3');
    expect(checked.port).toBe(443);
  });

  it.each(['https://mixed.example/r.git', 'https://rebind.example/r.git'])(
    'refuses %s: one private address among public ones is enough',
    async (url) => {
      await expect(check(url)).rejects.toThrowError(UrlPolicyError);
      await expect(check(url)).rejects.toThrowError(/private or local addresses are not allowed/);
    },
  );

  it('refuses address literals in private ranges without any lookup', async () => {
    await expect(check('http://127.0.0.1:9/r.git')).rejects.toThrowError(/not allowed/);
    await expect(check('http://[::1]/r.git')).rejects.toThrowError(/not allowed/);
    await expect(check('http://[fec0::1]/r.git')).rejects.toThrowError(/not allowed/);
  });

  it('reports a host that does not resolve', async () => {
    await expect(check('https://nowhere.example/r.git')).rejects.toThrowError(
      /Cannot resolve host nowhere.example: getaddrinfo ENOTFOUND/,
    );
  });

  it('admits an allowed host name on any port, or on its one port', async () => {
    const anyPort = new PrivateHostAllowList(['git.internal']);
    expect((await check('https://git.internal:8443/r.git', anyPort)).address).toBe('10.1.2.3');
    const onePort = new PrivateHostAllowList(['git.internal:443', '127.0.0.1:8080']);
    expect((await check('https://git.internal/r.git', onePort)).port).toBe(443);
    await expect(check('https://git.internal:8443/r.git', onePort)).rejects.toThrowError();
    expect((await check('http://127.0.0.1:8080/r.git', onePort)).address).toBe('127.0.0.1');
    await expect(check('http://127.0.0.1:8081/r.git', onePort)).rejects.toThrowError();
    // The name allows that name only: another name for the same address is still refused.
    await expect(check('https://other.internal/r.git', anyPort)).rejects.toThrowError();
  });

  it('admits private addresses inside an allowed CIDR block, for any host name', async () => {
    const cidr = new PrivateHostAllowList(['10.1.0.0/16']);
    expect((await check('https://other.internal/r.git', cidr)).address).toBe('10.1.9.9');
    await expect(check('https://mixed.example/r.git', cidr)).rejects.toThrowError();
    expect((await check('http://[::1]/r.git', new PrivateHostAllowList(['::1/128']))).port).toBe(
      80,
    );
  });

  it('validates allow-list entries', () => {
    for (const ok of [
      'git.internal',
      'git.internal:8443',
      '127.0.0.1',
      '[::1]',
      '[fd00::1]:443',
      '10.0.0.0/8',
      'fd00::/8',
    ])
      expect(isAllowListEntry(ok), ok).toBe(true);
    for (const bad of [
      '',
      'http://git.internal',
      '10.0.0.0/33',
      '::1',
      'host:0',
      'host:99999',
      'a b',
    ])
      expect(isAllowListEntry(bad), bad).toBe(false);
  });
});
