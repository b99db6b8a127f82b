import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { runTool } from '../helpers/run-tool.js';

// `bash scripts/stack.sh up --auth` / `--no-auth` against a stack directory of the
// test's own where nothing runs: the mode it keeps, what binderhub-ts's config.yaml
// gets, and the restart of a hub that runs in the other mode. The hub side of the mode
// (login, OAuth service, jupyterhub-singleuser) is tested in test/ui/auth-launch.stack.test.ts.

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts', 'stack.sh');

let stack: string;
const env = () => ({ ...process.env, BINDERHUB_TS_STACK_DIR: stack });
const sourced = (code: string) =>
  runTool('bash', ['-c', `source "${SCRIPT}"\n${code}`], { env: env() });

async function configAfter(option: string) {
  const r = await sourced(
    `set_auth_mode ${option} && write_binder_config && cat "$STACK/config.yaml"`,
  );
  expect(r.code, r.err).toBe(0);
  return { yaml: r.out, config: parseConfig(parse(r.out)) };
}

beforeEach(() => {
  stack = mkdtempSync(join(tmpdir(), 'bhts-stack-auth-'));
  mkdirSync(join(stack, 'secrets'));
  for (const name of [
    'hub-api-token',
    'dashboard-admin-token',
    'dashboard-viewer-token',
    'github-webhook-secret',
    'prebuild-token',
  ])
    writeFileSync(join(stack, 'secrets', name), `${name}-0123456789abcdef0123456789abcdef`);
});
afterEach(() => rmSync(stack, { recursive: true, force: true }));

describe('stack.sh up --auth: hub login on the local stack, switchable back', () => {
  it('is kept by plain `up`, turned off by --no-auth; config.yaml follows', async () => {
    const off = await configAfter('""');
    expect(off.config.BinderHub.auth_enabled).toBe(false);
    expect(off.yaml).not.toContain('Launcher');

    const on = await configAfter('--auth');
    expect(readFileSync(join(stack, 'auth-mode'), 'utf8')).toBe('on\n');
    expect(on.config.BinderHub.auth_enabled).toBe(true);
    expect(on.config.Launcher).toMatchObject({
      allow_named_servers: true,
      named_server_limit_per_user: 2,
    });
    expect((await configAfter('--auth')).yaml).toBe(on.yaml); // idempotent
    expect((await configAfter('""')).yaml).toBe(on.yaml); // plain `up` keeps it

    const back = await configAfter('--no-auth');
    expect(existsSync(join(stack, 'auth-mode'))).toBe(false);
    expect(back.yaml).toBe(off.yaml);
  });

  it('refuses an unknown option, naming it', async () => {
    const r = await sourced('set_auth_mode --auht');
    expect(r.code).toBe(1);
    expect(r.err).toContain("up: unknown option '--auht' (--auth or --no-auth)");
  });

  it('restarts a JupyterHub that runs in the other mode, and leaves one in the same alone', async () => {
    mkdirSync(join(stack, 'run'));
    const hub = spawn('sleep', ['60']); // stands for the hub process: only its pid is used
    const exited = new Promise((resolve) => hub.once('exit', resolve));
    try {
      writeFileSync(join(stack, 'run', 'jupyterhub.pid'), `${hub.pid}\n`);
      writeFileSync(join(stack, 'run', 'jupyterhub.auth'), 'off\n');
      const same = await sourced('restart_hub_if_auth_changed');
      expect(same.out).toBe('');
      expect(hub.exitCode).toBeNull();

      writeFileSync(join(stack, 'auth-mode'), 'on\n');
      const changed = await sourced('restart_hub_if_auth_changed');
      expect(changed.code, changed.err).toBe(0);
      expect(changed.out).toContain('jupyterhub: hub login turned on; restarting it');
      await exited;
      expect(existsSync(join(stack, 'run', 'jupyterhub.pid'))).toBe(false);
    } finally {
      hub.kill();
    }
  });
});
