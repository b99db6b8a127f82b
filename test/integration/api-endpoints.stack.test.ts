import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { requireStack } from '../helpers/stack.js';

// /versions, /health and /metrics against the real local stack (Redis, registry, JupyterHub).
describe('wiring endpoints', () => {
  let h: Harness;
  let down: Harness;

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({ overrides: { defaultMetrics: true } });
    // The same app, but its hub and registry point at a closed port.
    down = await startHarness({
      runner: false,
      config: {
        BinderHub: { hub_url: 'http://127.0.0.1:9/' },
        DockerRegistry: { url: 'http://127.0.0.1:9', request_timeout: 1 },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await down?.close();
  });

  it('GET /versions answers upstream’s shape with the local repo2docker version', async () => {
    const res = await fetch(`${h.url}versions`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      builder_info: { 'repo2docker-version': '2024.07.0' },
      binderhub: '0.1.0',
    });
  });

  it('GET /health is ok with every check listed when the services answer', async () => {
    const res = await fetch(`${h.url}health`);
    const body = (await res.json()) as {
      ok: boolean;
      checks: Array<{ service: string; ok: boolean }>;
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.ok).toBe(true);
    const services = body.checks.map((c) => c.service);
    expect(services).toEqual(
      expect.arrayContaining(['JupyterHub API', 'Docker registry', 'Redis']),
    );
    for (const c of body.checks) expect(typeof c.ok).toBe('boolean');
  });

  it('GET /health answers 503 naming the failing checks; HEAD gives the status only', async () => {
    const res = await fetch(`${down.url}health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      ok: boolean;
      checks: Array<{ service: string; ok: boolean }>;
    };
    expect(body.ok).toBe(false);
    const byName = Object.fromEntries(body.checks.map((c) => [c.service, c.ok]));
    expect(byName['JupyterHub API']).toBe(false);
    expect(byName['Docker registry']).toBe(false);
    expect(byName.Redis).toBe(true);
    const head = await fetch(`${down.url}health`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
  });

  it('GET /metrics serves Prometheus text with upstream’s metric names and process metrics', async () => {
    const res = await fetch(`${h.url}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'binderhub_launch_time_seconds',
      'binderhub_launch_count',
      'binderhub_inprogress_launches',
      'binderhub_github_rate_limit_remaining',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  it('the runner serves the build series (upstream names) on its own /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${h.ops!.server!.port}/metrics`)).text();
    for (const name of [
      'binderhub_build_time_seconds',
      'binderhub_build_count',
      'binderhub_inprogress_builds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  it('answers CORS preflight with an empty 200', async () => {
    const res = await fetch(`${h.url}build/gh/org/repo/HEAD`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-headers')).toBe('cache-control');
  });
});
