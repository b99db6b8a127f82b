import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO2DOCKER_CONFIG } from '../../../runners/content-provider-config.js';

describe('repo2docker configuration', () => {
  it('the chart ships the same file the docker backend writes', () => {
    const shipped = readFileSync(
      new URL('../../../chart/files/repo2docker_config.py', import.meta.url),
      'utf8',
    );
    expect(
      shipped === REPO2DOCKER_CONFIG,
      'chart/files/repo2docker_config.py differs from runners/content-provider-config.ts: run `npx tsx scripts/write-repo2docker-config.ts`',
    ).toBe(true);
  });
});
