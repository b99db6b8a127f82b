import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerConfigPath, readDockerConfig } from '../../../../api/registry/docker-config.js';

function configFile(auths: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bhts-dockercfg-')), 'config.json');
  writeFileSync(path, JSON.stringify({ auths }));
  return path;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('registry credentials from a Docker config.json', () => {
  it('takes the url and credentials from the first auths entry when no url is set', () => {
    const path = configFile({ 'registry.example:5000': { auth: b64('bot:pa:ss') } });
    expect(readDockerConfig(path, { url: '', authConfigUrl: '' })).toEqual({
      url: 'https://registry.example:5000',
      username: 'bot',
      password: 'pa:ss',
    });
  });

  it('matches the configured url by host, and maps Docker Hub', () => {
    const path = configFile({
      'other.example': { auth: b64('x:y') },
      'registry.example': { username: 'u', password: 'p' },
      'https://index.docker.io/v1/': { auth: b64('hub:pw') },
    });
    expect(
      readDockerConfig(path, { url: 'https://registry.example', authConfigUrl: '' }),
    ).toMatchObject({ username: 'u', password: 'p' });
    expect(
      readDockerConfig(path, { url: 'https://registry-1.docker.io', authConfigUrl: '' }),
    ).toMatchObject({ username: 'hub', password: 'pw' });
    expect(
      readDockerConfig(path, { url: 'https://unrelated.example', authConfigUrl: '' }),
    ).toMatchObject({ username: '', password: '' });
  });

  it('is absent when there is no file; the path follows DOCKER_CONFIG', () => {
    expect(
      readDockerConfig('/nonexistent/config.json', { url: '', authConfigUrl: '' }),
    ).toBeUndefined();
    expect(dockerConfigPath('', { DOCKER_CONFIG: '/etc/docker-cfg' })).toBe(
      '/etc/docker-cfg/config.json',
    );
    expect(dockerConfigPath('/x/config.json', {})).toBe('/x/config.json');
  });
});
