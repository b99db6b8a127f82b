import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerApi, requireStack, serveGitRepo, type StackInfo } from '../helpers/stack.js';

const execFileAsync = promisify(execFile);

describe('local stack (scripts/stack.sh up)', () => {
  let info: StackInfo;
  beforeAll(async () => {
    info = await requireStack();
  });

  it('Redis answers PING', async () => {
    const redis = new Redis(info.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('the registry answers the v2 API', async () => {
    const res = await fetch(`${info.registryUrl}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('the JupyterHub API accepts the binder service token with the scopes binderhub-ts needs', async () => {
    const root = await fetch(info.hubApiUrl);
    expect(root.status).toBe(200);
    expect(((await root.json()) as { version: string }).version).toMatch(/^5\./);

    const res = await fetch(`${info.hubApiUrl}user`, {
      headers: { Authorization: `token ${info.hubApiToken}` },
    });
    expect(res.status).toBe(200);
    const me = (await res.json()) as { kind: string; name: string; scopes: string[] };
    expect(me).toMatchObject({ kind: 'service', name: 'binder' });
    expect(me.scopes).toEqual(expect.arrayContaining(['admin:users', 'servers', 'read:servers']));
  });

  it('the base image is in the engine and runs as jovyan (uid 1000)', async () => {
    const res = await dockerApi(`/images/${encodeURIComponent(info.baseImage)}/json`);
    expect(res.status).toBe(200);
    const image = JSON.parse(res.body) as { Config: { User: string; WorkingDir: string } };
    expect(image.Config.User).toBe('jovyan');
    expect(image.Config.WorkingDir).toBe('/home/jovyan');
  });

  it('serveGitRepo serves a repository over HTTP that git ls-remote and clone read', async () => {
    const repo = await serveGitRepo({ 'README.md': '# test\n', 'binder/Dockerfile': 'FROM x\n' });
    try {
      const first = await execFileAsync('git', ['ls-remote', repo.url]);
      expect(first.stdout).toContain(`${repo.sha}\tHEAD`);
      expect(first.stdout).toContain(`${repo.sha}\trefs/heads/main`);

      const old = repo.sha;
      const next = await repo.addCommit({ 'notebook.ipynb': '{}' }, 'add a notebook');
      expect(next).not.toBe(old);
      expect(repo.sha).toBe(next);
      const second = await execFileAsync('git', ['ls-remote', repo.url, 'refs/heads/main']);
      expect(second.stdout.trim()).toBe(`${next}\trefs/heads/main`);

      const clone = await mkdtemp(path.join(os.tmpdir(), 'stack-test-clone-'));
      try {
        await execFileAsync('git', ['clone', '--quiet', repo.url, clone]);
        expect(await readFile(path.join(clone, 'binder', 'Dockerfile'), 'utf8')).toBe('FROM x\n');
        expect(await readFile(path.join(clone, 'notebook.ipynb'), 'utf8')).toBe('{}');
      } finally {
        await rm(clone, { recursive: true, force: true });
      }
    } finally {
      await repo.close();
    }
  });

  it('JupyterHub launches a registry image with the token from user_options', async () => {
    const hub = info.hubApiUrl;
    const headers = {
      Authorization: `token ${info.hubApiToken}`,
      'Content-Type': 'application/json',
    };
    const user = `stack-test-${randomBytes(4).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    expect((await fetch(`${hub}users/${user}`, { method: 'POST', headers })).status).toBe(201);
    try {
      const start = await fetch(`${hub}users/${user}/server`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          image: info.baseImageInRegistry,
          token,
          repo_url: 'http://x/r.git',
        }),
      });
      expect([201, 202]).toContain(start.status);

      const progress = await fetch(`${hub}users/${user}/server/progress`, { headers });
      const events = (await progress.text())
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map(
          (line) =>
            JSON.parse(line.slice(6)) as { ready?: boolean; failed?: boolean; message: string },
        );
      const last = events.at(-1);
      expect(last?.failed, last?.message).not.toBe(true);
      expect(last?.ready).toBe(true);

      const base = `${info.hubUrl}user/${user}/api/status`;
      expect((await fetch(`${base}?token=${token}`)).status).toBe(200);
      expect((await fetch(base, { redirect: 'manual' })).status).toBe(403);
    } finally {
      await fetch(`${hub}users/${user}/server`, { method: 'DELETE', headers });
      await fetch(`${hub}users/${user}`, { method: 'DELETE', headers });
    }
  });
});
