/**
 * The one CORS setting on Kubernetes: `global.cors.allowOrigin`, in a values file given
 * to both releases, becomes BinderHub.cors_allow_origin in this chart's configuration
 * and the notebook servers' allow_origin through the BinderSpawner in
 * chart/files/jupyterhub-values.yaml (run here with the stack's Python; KubeSpawner and
 * z2jh, which need a cluster, are replaced by the least they provide).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { stackDirPath, stackInfo } from '../helpers/stack.js';
import { runTool } from '../helpers/run-tool.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const HELM = join(stackDirPath(), 'bin/helm');
const CHART = join(ROOT, 'chart');

function template(...set: string[]) {
  const args = ['template', 'bhts', CHART, '--namespace', 'binder'];
  for (const s of set) args.push('--set', s);
  return runTool(HELM, args, { cwd: ROOT });
}

async function corsOf(...set: string[]): Promise<string> {
  const r = await template(...set);
  expect(r.err).toBe('');
  const secret = parseAllDocuments(r.out)
    .map(
      (d) =>
        d.toJS() as {
          kind?: string;
          metadata?: { name: string };
          stringData?: Record<string, string>;
        },
    )
    .find((d) => d?.kind === 'Secret' && d.metadata?.name.endsWith('-config'))!;
  const config = parseConfig(parse(secret.stringData!['config.yaml']!));
  return config.BinderHub.cors_allow_origin;
}

// The hub's extraConfig snippet, executed with a KubeSpawner that provides only what the
// snippet uses, and z2jh.get_config over the given values; prints the notebook's args.
const SPAWNER_ARGS = `
import json, sys, types
from traitlets.config import Config, Configurable
values, snippet = json.loads(sys.stdin.read())
class KubeSpawner(Configurable):
    user_options = {"image": "registry.example.org/binder/x:1", "token": "t0k3n"}
    port, default_url, args = 8888, "", []
    server = types.SimpleNamespace(base_url="/user/x/")
def get_config(key, default=None):
    value = values
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return default
        value = value[part]
    return value
sys.modules["kubespawner"] = types.SimpleNamespace(KubeSpawner=KubeSpawner)
sys.modules["z2jh"] = types.SimpleNamespace(get_config=get_config)
c = Config()
exec(snippet, {"c": c})
print(json.dumps(c.JupyterHub.spawner_class(config=c).get_args()))
`;

async function spawnerArgs(values: object): Promise<string[]> {
  const hubValues = parse(readFileSync(join(CHART, 'files/jupyterhub-values.yaml'), 'utf8'));
  const snippet = hubValues.hub.extraConfig['00-binder-spawner'] as string;
  const python = join(stackInfo().stackDir, 'venv', 'bin', 'python');
  const r = await runTool(python, ['-c', SPAWNER_ARGS], {
    input: JSON.stringify([values, snippet]),
  });
  expect(r.err).toBe('');
  return JSON.parse(r.out) as string[];
}

describe('global.cors.allowOrigin: one setting for the api and the notebook servers', () => {
  beforeAll(() => {
    if (!existsSync(HELM))
      throw new Error(`${HELM} is missing: \`bash scripts/stack.sh up\` builds it`);
  });

  it("becomes BinderHub.cors_allow_origin in binderhub-ts's configuration", async () => {
    expect(await corsOf()).toBe('');
    expect(await corsOf('global.cors.allowOrigin=https://books.example.org')).toBe(
      'https://books.example.org',
    );
    expect(await corsOf('global.cors.allowOrigin=*')).toBe('*');
    expect(await corsOf('config.BinderHub.cors_allow_origin=https://books.example.org')).toBe(
      'https://books.example.org',
    );
  });

  it('refuses a value that is not an origin, and two settings that disagree', async () => {
    const path = await template('global.cors.allowOrigin=https://books.example.org/');
    expect(path.code).not.toBe(0);
    expect(path.err).toContain('/global/cors/allowOrigin');
    const both = await template(
      'global.cors.allowOrigin=*',
      'config.BinderHub.cors_allow_origin=https://x.org',
    );
    expect(both.code).not.toBe(0);
    expect(both.err).toContain(
      'global.cors.allowOrigin ("*") and config.BinderHub.cors_allow_origin',
    );
  });

  it("becomes the notebook servers' allow_origin in the hub's BinderSpawner", async () => {
    const named = await spawnerArgs({
      global: { cors: { allowOrigin: 'https://books.example.org' } },
    });
    expect(named).toContain('--ServerApp.allow_origin=https://books.example.org');
    expect(named).toContain('--NotebookApp.allow_origin=https://books.example.org');
    expect(named.some((a) => a.includes('allow_origin_pat'))).toBe(false);
    const any = await spawnerArgs({ global: { cors: { allowOrigin: '*' } } });
    expect(any).toContain('--ServerApp.allow_origin=*');
    expect(any).toContain('--ServerApp.allow_origin_pat=.*');
    expect((await spawnerArgs({})).some((a) => a.includes('allow_origin'))).toBe(false);
  });
});
