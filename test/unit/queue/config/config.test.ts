import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../../../queue/config/index.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bhts-config-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('configuration', () => {
  it('fills upstream defaults', () => {
    const c = parseConfig({});
    expect(c.BinderHub.port).toBe(8585);
    expect(c.BinderHub.base_url).toBe('/');
    expect(c.BinderHub.use_registry).toBe(true);
    expect(c.Launcher.retries).toBe(4);
    expect(c.RateLimiter.limit).toBe(10);
    expect(c.KubernetesBuildExecutor.build_image).toBe('quay.io/jupyterhub/repo2docker:2024.07.0');
    expect(c.GitRepoProvider.allowed_protocols).toEqual(['http', 'https', 'git', 'ssh']);
    expect(c.GitRepoProvider.allowed_private_hosts).toEqual([]);
  });

  it('reads YAML in upstream chart shape (config: wrapping the classes)', () => {
    const c = loadConfig(
      file('config:\n  BinderHub:\n    hub_url: http://hub.example\n    base_url: binder\n'),
      {},
    );
    expect(c.BinderHub.hub_url).toBe('http://hub.example/');
    expect(c.BinderHub.base_url).toBe('/binder/');
  });

  it('names an unknown trait', () => {
    expect(() => loadConfig(file('BinderHub:\n  hub_ulr: http://x/\n'), {})).toThrowError(
      /BinderHub\.hub_ulr: unknown trait/,
    );
  });

  it('names an unknown class', () => {
    expect(() => parseConfig({ BinderHubb: {} })).toThrowError(/BinderHubb: unknown class/);
  });

  it('names a value of the wrong type and what is expected', () => {
    try {
      parseConfig({ BinderHub: { port: 'eighty' }, Launcher: { retries: 0 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.problems.some((p) => p.startsWith('BinderHub.port:') && /number/.test(p))).toBe(
        true,
      );
      expect(e.problems.some((p) => p.startsWith('Launcher.retries:'))).toBe(true);
    }
  });

  it('refuses an invalid regex in banned_specs at start-up', () => {
    expect(() => parseConfig({ GitHubRepoProvider: { banned_specs: ['(unclosed'] } })).toThrowError(
      /GitHubRepoProvider\.banned_specs\.0: must be a valid regular expression/,
    );
  });

  it('refuses an event stream buffer too small for the largest event', () => {
    expect(() =>
      parseConfig({
        BuildQueue: { event_max_bytes: 512 * 1024, event_stream_max_buffer: 1 << 20 },
      }),
    ).toThrowError(/event_stream_max_buffer must be at least 4 × event_max_bytes/);
  });

  it('reports a file that is not YAML', () => {
    expect(() => loadConfig(file('BinderHub: [unclosed'), {})).toThrowError(/not valid YAML/);
  });

  it('takes upstream environment variables and the generic form', () => {
    const c = parseConfig(
      {},
      {
        JUPYTERHUB_API_TOKEN: 'tok',
        GITHUB_ACCESS_TOKEN: 'gh',
        BINDERHUB_TS__Runner__concurrency: '7',
        BINDERHUB_TS__BinderHub__image_prefix: 'reg/x-',
      },
    );
    expect(c.BinderHub.hub_api_token).toBe('tok');
    expect(c.GitHubRepoProvider.access_token).toBe('gh');
    expect(c.Runner.concurrency).toBe(7);
    expect(c.BinderHub.image_prefix).toBe('reg/x-');
  });

  it('forwards deprecated upstream names to their new home', () => {
    const c = parseConfig({ BinderHub: { pod_quota: 5, build_image: 'r2d:1', appendix: 'RUN x' } });
    expect(c.LaunchQuota.total_quota).toBe(5);
    expect(c.KubernetesBuildExecutor.build_image).toBe('r2d:1');
    expect(c.BuildExecutor.appendix).toBe('RUN x');
  });
});
