import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialLines } from '../../queue/url-policy/credential-helper.js';
import { gitAccess, gitEnv, type GitAccess } from '../../queue/url-policy/git-access.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

// The git settings a build gets, with real git against loopback servers that answer 401
// and record Authorization headers. `system` stands for the build image's
// /etc/gitconfig, whose `credential.helper env` answers EVERY host with
// GIT_CREDENTIAL_ENV (upstream's mechanism, and the leak).

const SECRET = 'username=bot\\npassword=s3cret';
const basic = Buffer.from('bot:s3cret').toString('base64');

function git(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env } },
      (_e, out, err) => resolve(`${out}${err}`),
    );
  });
}

function accessFor(url: string, address: string, credentials?: string): GitAccess {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return gitAccess({ url: u, port, addresses: [address], address }, credentials);
}

describe('git under the build’s settings (real git)', () => {
  let provider: RecordingServer;
  let stranger: RecordingServer;
  let dir: string;
  let system: Record<string, string>;

  beforeAll(async () => {
    provider = await startRecordingServer();
    stranger = await startRecordingServer();
    dir = await mkdtemp(join(tmpdir(), 'bhts-git-access-'));
    const file = join(dir, 'gitconfig');
    await writeFile(
      file,
      '[credential]\n\thelper = "!f() { printf \'%b\\\\n\' \\"$GIT_CREDENTIAL_ENV\\"; }; f"\n',
    );
    system = { GIT_CONFIG_SYSTEM: file, GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  });
  afterAll(async () => {
    await provider?.close();
    await stranger?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('upstream’s way sends the credentials to any host that asks (the leak)', async () => {
    const before = stranger.requests.length;
    await git(['ls-remote', `${stranger.origin}/r.git`], { ...system, GIT_CREDENTIAL_ENV: SECRET });
    const seen = stranger.requests.slice(before).map((r) => r.authorization);
    expect(seen).toContain(`Basic ${basic}`);
    stranger.requests.length = 0;
  });

  it('ours offers them to no other host, even with the image’s helper configured', async () => {
    const access = accessFor(`${provider.origin}/r.git`, '127.0.0.1', credentialLines(SECRET));
    const out = await git(['ls-remote', `${stranger.origin}/r.git`], {
      ...system,
      GIT_CREDENTIAL_ENV: SECRET,
      ...gitEnv(access),
    });
    expect(out).toMatch(/could not read Username|Authentication failed|proxy/);
    expect(stranger.requests.filter((r) => r.authorization)).toEqual([]);
  });

  it('ours answers the repository’s host', async () => {
    const access = accessFor(`${provider.origin}/r.git`, '127.0.0.1', credentialLines(SECRET));
    await git(['ls-remote', access.cloneUrl], { ...system, ...gitEnv(access) });
    expect(provider.requests.map((r) => r.authorization)).toContain(`Basic ${basic}`);
  });

  it('connects to the checked address, not to what DNS says now', async () => {
    const before = provider.requests.length;
    const url = `http://repo.binderhub-test.invalid:${provider.port}/r.git`;
    const access = accessFor(url, '127.0.0.1');
    expect(access.config).toContainEqual([
      'http.curloptResolve',
      `repo.binderhub-test.invalid:${provider.port}:127.0.0.1`,
    ]);
    await git(['ls-remote', access.cloneUrl], { ...system, ...gitEnv(access) });
    expect(provider.requests.length).toBeGreaterThan(before);
  });

  it('gives git:// and ssh:// the checked address in the URL, and no submodules over them', () => {
    const gitUrl = accessFor('git://git.example.org/r.git', '140.82.112.3');
    expect(gitUrl.cloneUrl).toBe('git://140.82.112.3/r.git');
    expect(gitUrl.config).toContainEqual(['protocol.git.allow', 'user']);
    const ssh = accessFor('ssh://git@git.example.org:2222/r.git', '2606:4700::1');
    expect(ssh.cloneUrl).toBe('ssh://git@[2606:4700::1]:2222/r.git');
    expect(ssh.credentialEnv).toEqual({});
  });
});
