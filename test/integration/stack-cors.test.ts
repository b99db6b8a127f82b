import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { runTool } from '../helpers/run-tool.js';

// `bash scripts/stack.sh cors <origin>`, the local stack's one CORS setting, against a
// stack directory of the test's own where nothing runs (so nothing is started or
// restarted): the value it keeps, the line binderhub-ts's config.yaml gets, and the
// restart of a JupyterHub that runs with another value. That the hub's config turns the
// same file into the notebook servers' allow_origin is tested in test/clients/.

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts', 'stack.sh');

let stack: string;
const env = () => ({ ...process.env, BINDERHUB_TS_STACK_DIR: stack });
const run = (...args: string[]) => runTool('bash', [SCRIPT, ...args], { env: env() });
/** Sources stack.sh (which then defines its functions and runs nothing) and runs `code`. */
const sourced = (code: string) =>
  runTool('bash', ['-c', `source "${SCRIPT}"\n${code}`], { env: env() });

async function configYaml(): Promise<string> {
  const r = await sourced('write_binder_config && cat "$STACK/config.yaml"');
  expect(r.code, r.err).toBe(0);
  return r.out;
}

beforeEach(() => {
  stack = mkdtempSync(join(tmpdir(), 'bhts-stack-cors-'));
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

describe('stack.sh cors: one setting for binderhub-ts and the notebook servers', () => {
  it('keeps an origin or *, refuses anything else, and turns off', async () => {
    const bad = await run('cors', 'https://books.example.org/');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("is not '*' or an origin such as https://books.example.org");
    expect(existsSync(join(stack, 'cors-allow-origin'))).toBe(false);

    const set = await run('cors', 'https://books.example.org');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toContain('pages on https://books.example.org may launch and run kernels');
    expect(set.out).toContain('the setting applies at the next');
    expect(readFileSync(join(stack, 'cors-allow-origin'), 'utf8')).toBe(
      'https://books.example.org\n',
    );
    expect((await run('cors')).out).toContain('https://books.example.org');

    expect((await run('cors', 'off')).code).toBe(0);
    expect(existsSync(join(stack, 'cors-allow-origin'))).toBe(false);
    expect((await run('cors')).out).toContain('other origins   off');
  });

  it("writes it into binderhub-ts's config.yaml as BinderHub.cors_allow_origin, nothing when off", async () => {
    const off = await configYaml();
    expect(off).not.toContain('cors_allow_origin');
    for (const value of ['*', 'http://localhost:3000']) {
      expect((await run('cors', value)).code).toBe(0);
      const yaml = await configYaml();
      expect(parseConfig(parse(yaml)).BinderHub.cors_allow_origin).toBe(value);
      // the only difference from the configuration without it
      expect(yaml.replace(`\n  cors_allow_origin: "${value}"`, '')).toBe(off);
    }
  });

  it('restarts a JupyterHub that runs with another value, and leaves one with the same alone', async () => {
    mkdirSync(join(stack, 'run'));
    const hub = spawn('sleep', ['60']); // stands for the hub process: only its pid is used
    const exited = new Promise((resolve) => hub.once('exit', resolve));
    try {
      writeFileSync(join(stack, 'run', 'jupyterhub.pid'), `${hub.pid}\n`);
      writeFileSync(join(stack, 'run', 'jupyterhub.cors'), '\n');
      const same = await sourced('restart_hub_if_cors_changed');
      expect(same.out).toBe('');
      expect(hub.exitCode).toBeNull();

      // (not `stack.sh cors`: with a hub running it would go on to `up`)
      writeFileSync(join(stack, 'cors-allow-origin'), '*\n');
      const changed = await sourced('restart_hub_if_cors_changed');
      expect(changed.code, changed.err).toBe(0);
      expect(changed.out).toContain('jupyterhub: the CORS setting changed; restarting it');
      expect(changed.out).toContain(`stopped jupyterhub (pid ${hub.pid})`);
      await exited;
      expect(existsSync(join(stack, 'run', 'jupyterhub.pid'))).toBe(false);
    } finally {
      hub.kill();
    }
  });
});
