import { z } from 'zod';
import { parseHostEntry } from '../../url-policy/host-entry.js';
import { isAllowListEntry } from '../../url-policy/private-host-allow-list.js';
import { repoProviderTraits, seconds } from './common.js';

const siteUrl = () =>
  z
    .string()
    .refine((s) => s === '' || /^https?:\/\/[^/?#@\s]+(\/[^?#\s]*)?$/.test(s), {
      message: "must be an http(s) URL without credentials, query or fragment, or ''",
    })
    .default('');

export const gitHubProviderSection = z
  .object({
    ...repoProviderTraits,
    hostname: z.string().default('github.com'),
    /**
     * Where the site is reached: '' = `https://<hostname>/`. An http(s) origin (with an
     * optional path) for a site reached otherwise, e.g. a stand-in on loopback in tests.
     */
    base_url: siteUrl(),
    api_base_path: z.string().default(''),
    access_token: z.string().default(''),
    client_id: z.string().default(''),
    client_secret: z.string().default(''),
  })
  .strict();

export const gistProviderSection = z
  .object({ ...repoProviderTraits, allow_secret_gist: z.boolean().default(false) })
  .strict();

export const gitLabProviderSection = z
  .object({
    ...repoProviderTraits,
    hostname: z.string().default('gitlab.com'),
    /**
     * Where the site is reached: '' = `https://<hostname>/`. An http(s) origin (with an
     * optional path) for a site reached otherwise, e.g. a stand-in on loopback in tests.
     */
    base_url: siteUrl(),
    access_token: z.string().default(''),
    private_token: z.string().default(''),
  })
  .strict();

export const gitProviderSection = z
  .object({
    ...repoProviderTraits,
    allowed_protocols: z
      .array(z.enum(['http', 'https', 'git', 'ssh']))
      .default(['http', 'https', 'git', 'ssh']),
    /** Hosts (`host`, `host:port`) and CIDR blocks allowed although private (SSRF guard exceptions). */
    allowed_private_hosts: z
      .array(
        z.string().refine(isAllowListEntry, {
          message:
            'must be a host, host:port or CIDR block (e.g. git.internal, 127.0.0.1:8080, [fd00::1]:443, 10.1.0.0/16)',
        }),
      )
      .default([]),
    /** Removed: it turned the SSRF guard off for every host. Only `false` is accepted. */
    allow_private_hosts: z
      .boolean()
      .refine((v) => !v, {
        message:
          'was removed: it turned the SSRF guard off for every host. List the hosts to allow in GitRepoProvider.allowed_private_hosts (host, host:port or CIDR block) instead',
      })
      .default(false),
    /** The hosts (`host`, `host:port`) `git_credentials` are offered to. */
    git_credentials_hosts: z
      .array(
        z.string().refine((e) => parseHostEntry(e) !== undefined, {
          message: 'must be a host or host:port (e.g. git.example.org, git.example.org:8443)',
        }),
      )
      .default([]),
    ls_remote_timeout: seconds().default(30),
  })
  .strict()
  .refine((s) => !s.git_credentials || s.git_credentials_hosts.length > 0, {
    message:
      'git_credentials is set but git_credentials_hosts is empty: list the hosts (host or host:port) the credentials are for, or they would be offered to any host a user names',
    path: ['git_credentials_hosts'],
  });
