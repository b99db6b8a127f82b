import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { emitLaunchEvent } from '../../../api/event-log/launch-event-emitter.js';
import { buildEndEvent, EventLog, streamSink } from '../../../queue/event-log/index.js';
import { createLogger } from '../../../queue/index.js';

const run = promisify(execFile);

/** Every secret below is unique, so a leak names itself. */
const S = {
  hub: 'hubtok-4b1d0a',
  buildKey: 'abcdef0123456789',
  ghToken: 'ghtok-91c3e2',
  ghSecret: 'ghsec-77aa01',
  glPrivate: 'glpriv-3e5c0d',
  gitCreds: 'gitcred-5d2f99',
  registryPassword: 'regpw-0c1e6a',
  redisPassword: 'redispw-9f3b27',
  hookSecret: 'hooksec-1a2b3c',
  hookToken: 'hooktok-4d5e6f',
  admin: 'admintok-8c7d6e5f4a3b',
  viewer: 'viewtok-1f2e3d4c5b6a',
  registryCred: 'kubecred-e1d2c3',
  urlToken: 'urltok-64f0aa',
};

/** Lines written by a logger, parsed. */
function capture(): { log: ReturnType<typeof createLogger>; lines: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger({ level: 'info', destination: out });
  return { log, lines: () => chunks.join('') };
}

function expectNoSecret(text: string): void {
  for (const [name, value] of Object.entries(S)) {
    expect(text, `${name} leaked`).not.toContain(value);
  }
}

describe('secrets never leave in clear', () => {
  it('check-config prints the configuration with every nested secret hidden', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bhts-check-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        BinderHub: {
          hub_api_token: S.hub,
          build_token_secret: S.buildKey,
          hub_url: `https://binder:${S.urlToken}@hub.example.org/`,
        },
        GitHubRepoProvider: {
          access_token: S.ghToken,
          client_id: 'client-id-shown',
          client_secret: S.ghSecret,
        },
        GitLabRepoProvider: { private_token: S.glPrivate },
        GitRepoProvider: {
          git_credentials: `username=u\npassword=${S.gitCreds}`,
          git_credentials_hosts: ['git.example.org'],
        },
        DockerRegistry: { url: 'https://registry.example.org', password: S.registryPassword },
        Redis: { url: `redis://:${S.redisPassword}@127.0.0.1:6379/0` },
        GitHubWebhook: { secret: S.hookSecret },
        GitLabWebhook: { secret_token: S.hookToken },
        Dashboard: { admin_token: S.admin, viewer_token: S.viewer },
        KubernetesBuildExecutor: { registry_credentials: { password: S.registryCred } },
      }),
    );
    const { stdout, stderr } = await run(
      process.execPath,
      ['bin/binderhub-ts.js', 'check-config', '--config', file],
      { env: { PATH: process.env.PATH ?? '' }, cwd: process.cwd() },
    );
    const text = stdout + stderr;
    expect(text).toContain('configuration is valid');
    expect(text).toContain('client-id-shown');
    expect(text).toContain('registry.example.org');
    expectNoSecret(text);
  });

  it('scrubs secrets and credential URLs at any depth of a log line', () => {
    const { log, lines } = capture();
    const err = new Error(`fatal: could not read https://u:${S.ghToken}@example.org/r.git`);
    log.info(
      {
        job: {
          repoUrl: `https://user:${S.urlToken}@git.example.org/r.git`,
          spec: `https%3A%2F%2Fuser%3A${S.gitCreds}%40git.example.org%2Fr.git/HEAD`,
          nested: [{ auth: { password: S.registryPassword } }, { headers: { cookie: S.hub } }],
          query: `https://api.example.org/x?private_token=${S.glPrivate}&page=2`,
        },
        config: { DockerRegistry: { password: S.redisPassword } },
        error: err,
      },
      'job %s',
      `https://${S.hookToken}@github.com/o/r`,
    );
    log
      .child({ repo: `https://x-access-token:${S.admin}@github.com/o/r` })
      .child({ build: 'b1' })
      .warn('grandchild');
    log.error(new Error(`clone of https://me:${S.viewer}@example.org failed`));
    const text = lines();
    expectNoSecret(text);
    const [first, second, third] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first!.job).toMatchObject({
      repoUrl: 'https://user:[secret]@git.example.org/r.git',
      query: 'https://api.example.org/x?private_token=[secret]&page=2',
    });
    expect(first!.msg).toBe('job https://[secret]@github.com/o/r');
    expect(first!.error).toMatchObject({
      type: 'Error',
      message: expect.stringContaining('u:[secret]@'),
    });
    expect(second).toMatchObject({
      repo: 'https://x-access-token:[secret]@github.com/o/r',
      build: 'b1',
      msg: 'grandchild',
    });
    expect(third!.msg).toBe('clone of https://me:[secret]@example.org failed');
    expect(third!.err).toMatchObject({ type: 'Error' });
  });

  it('keeps credentials out of the event log (launch and build events)', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const events = new EventLog(streamSink(out), capture().log);
    const spec = `https%3A%2F%2Fu%3A${S.urlToken}%40git.example.org%2Fr.git/HEAD`;
    emitLaunchEvent(events, '', {
      providerName: 'Git',
      spec,
      ref: 'a'.repeat(40),
      buildToken: false,
      header: () => undefined,
    });
    const job = {
      buildName: 'build-x',
      providerName: 'Git',
      spec,
      ref: 'a'.repeat(40),
      image: 'img:1',
      repoUrl: `https://u:${S.urlToken}@git.example.org/r.git`,
      trigger: 'launch' as const,
    };
    events.emitBuild(
      buildEndEvent(job, {
        runner: 'r',
        outcome: 'failure',
        durationMs: 1,
        message: `could not read https://u:${S.gitCreds}@git.example.org`,
      }),
    );
    const text = chunks.join('');
    expect(text.trim().split('\n')).toHaveLength(2);
    expectNoSecret(text);
  });
});
