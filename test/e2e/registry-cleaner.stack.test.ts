import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolStore } from '../../api/pool/pool-store.js';
import { keyNames } from '../../queue/index.js';
import { ImageUse } from '../../queue/registry-retention/image-use.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { requireStack, stackInfo } from '../helpers/stack.js';
import { putTinyImage } from '../helpers/registry-image.js';

// The registry cleaner against the stack's real registry (deletes enabled by
// scripts/stack.sh). Images are put under the harness's own image prefix, so nothing
// of other tests is looked at: old ones (created in 2020), a current one, an old one
// launched recently, an old one the warm pool keeps, and old tags sharing a manifest.

const ADMIN = 'admin-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const OLD = '2020-01-02T03:04:05Z';

describe('RegistryCleaner on the real registry', () => {
  let h: Harness;
  let registry: string;
  const img = (name: string) => `${h.config.BinderHub.image_prefix}${name}`;
  const exists = async (image: string) => {
    const path = image.slice(image.indexOf('/') + 1).replace(/:([^:]+)$/, '/manifests/$1');
    const res = await fetch(`${registry}/v2/${path}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    return res.status === 200;
  };
  const clean = (query = '', token = ADMIN) =>
    fetch(`${h.url}api/registry/clean${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    await requireStack();
    registry = stackInfo().registryUrl;
    h = await startHarness({
      runner: false,
      config: {
        RegistryCleaner: { max_age_days: 7, interval: 0 },
        Dashboard: { admin_token: ADMIN, viewer_token: VIEWER },
      },
    });
    await putTinyImage(img('old:aaa'), registry, OLD);
    // Same config, same manifest: one digest, two tags.
    await putTinyImage(img('old:aaa-again'), registry, OLD);
    await putTinyImage(img('current:ccc'), registry, new Date().toISOString());
    await putTinyImage(img('launched:bbb'), registry, '2020-01-02T03:04:06Z');
    await putTinyImage(img('pooled:ddd'), registry, '2020-01-02T03:04:07Z');
    await putTinyImage(img('unknown:eee'), registry);
    const keys = keyNames(h.config.Redis.key_prefix);
    await new ImageUse(h.api.runtime.deps.redis, keys).record(img('launched:bbb'));
    await new PoolStore(h.api.runtime.deps.redis, keys).setTargets({
      [img('pooled:ddd')]: 'git/x/HEAD',
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('refuses without the admin token', async () => {
    const none = await fetch(`${h.url}api/registry/clean`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect((await clean('', VIEWER)).status).toBe(403);
    const basic = await fetch(`${h.url}api/registry/clean`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect((await clean('?dry_run=maybe')).status).toBe(400);
  });

  it('lists in a dry run what it would delete, and deletes nothing', async () => {
    const res = await clean('?dry_run=true');
    expect(res.status).toBe(200);
    const { report } = (await res.json()) as {
      report: { dryRun: boolean; deleted: Array<{ images: string[] }>; kept: object };
    };
    expect(report.dryRun).toBe(true);
    expect(report.deleted.map((d) => d.images.sort())).toEqual([
      [img('old:aaa'), img('old:aaa-again')],
    ]);
    expect(report.kept).toEqual({ recent: 2, keepers: 1, unknownAge: 1 });
    expect(await exists(img('old:aaa'))).toBe(true);
  });

  it('deletes the old image and keeps the current, the launched and the pooled ones', async () => {
    const res = await clean();
    expect(res.status).toBe(200);
    const { report } = (await res.json()) as {
      report: {
        dryRun: boolean;
        deleted: Array<{ images: string[]; digest: string }>;
        errors: string[];
      };
    };
    expect(report.dryRun).toBe(false);
    expect(report.errors).toEqual([]);
    expect(report.deleted).toHaveLength(1);
    expect(report.deleted[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await exists(img('old:aaa'))).toBe(false);
    expect(await exists(img('old:aaa-again'))).toBe(false);
    for (const kept of ['current:ccc', 'launched:bbb', 'pooled:ddd', 'unknown:eee']) {
      expect(await exists(img(kept)), kept).toBe(true);
    }
    // The report stays readable (viewer token), is on the dashboard and in the metrics.
    const last = await fetch(`${h.url}api/registry/clean`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    const body = (await last.json()) as { report: { deleted: unknown[]; trigger: string } };
    expect(body.report.deleted).toHaveLength(1);
    expect(body.report.trigger).toBe('api');
    const page = await fetch(`${h.url}admin/queues/registry`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(img('old:aaa'));
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(/^binderhub_ts_registry_images_deleted_total 1$/m);
    // A second run finds nothing more to delete.
    const again = (await (await clean()).json()) as { report: { deleted: unknown[] } };
    expect(again.report.deleted).toEqual([]);
  });
});

describe('RegistryCleaner on a schedule', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: { RegistryCleaner: { max_age_days: 7, interval: 1, dry_run: true } },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('runs by itself every interval', async () => {
    const cleaner = h.api.runtime.deps.registryCleaner!;
    const deadline = Date.now() + 10_000;
    let report = await cleaner.lastReport();
    while (!report && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      report = await cleaner.lastReport();
    }
    expect(report?.trigger).toBe('schedule');
    expect(report?.dryRun).toBe(true);
  });
});
