/**
 * A data repository built in a real build pod: the pod runs repo2docker with the
 * configuration mounted from the ConfigMap (as the chart creates it), so it uses the
 * job's content provider (Zenodo here) against a stand-in on loopback (build pods use
 * the host network on this cluster), and its address guard refuses a file on a port
 * nobody allowed. Skips, saying why, only when no cluster runs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { parseConfig } from '../../../queue/config/index.js';
import type { BuildJob } from '../../../queue/index.js';
import { buildIdentity } from '../../../queue/repo-specs/build-identity.js';
import { contentAccessFor } from '../../../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../../../queue/repo-specs/repo-spec-for.js';
import type { BuildRequest } from '../../../runners/build-backend.js';
import { DataServices } from '../../helpers/data-services.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { stackInfo } from '../../helpers/stack.js';
import { recorder } from '../kube-test-env.js';
import { useClusterTestEnv, type ClusterTestEnv } from './cluster-test-env.js';
import { describeOnCluster } from './real-cluster.js';

await describeOnCluster('a data repository built in a pod on the local cluster', (cluster) => {
  const t = useClusterTestEnv(cluster);
  let env: ClusterTestEnv;
  let d: DataServices;
  let trap: RecordingServer;
  beforeAll(async () => {
    d = await DataServices.start();
    trap = await startRecordingServer();
  });
  afterAll(async () => {
    await d?.close();
    await trap?.close();
  });
  beforeEach(() => {
    env = t.env();
  });

  async function zenodoBuild(record: string): Promise<BuildRequest> {
    const config = parseConfig({
      BinderHub: { image_prefix: `${stackInfo().imagePrefix}k8s-${randomUUID().slice(0, 8)}-` },
      ZenodoProvider: { doi_resolver_url: `${d.url}doi/`, hosts: [d.url] },
    });
    const spec = repoSpecFor(config, 'zenodo', `10.5281/zenodo.${record}`)!;
    const job: BuildJob = {
      ...buildIdentity(spec, record, config.BinderHub.image_prefix),
      provider: 'zenodo',
      spec: spec.spec,
      ref: record,
      trigger: 'launch',
      requestedAt: Date.now(),
    };
    const content = await contentAccessFor(config, spec, record);
    return { job, content, push: false, appendix: '', extraArgs: [] };
  }

  it('fetches the record with the Zenodo content provider and builds it', async () => {
    d.zenodo.set('7000001', {
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "zenodo in a pod ${randomUUID()}"\n`,
      'README.md': '# zenodo\n',
    });
    d.dois.set('10.5281/zenodo.7000001', '/records/7000001');
    const rec = recorder();
    await env.backend().run(await zenodoBuild('7000001'), rec.emit, new AbortController().signal);
    const messages = rec.events.map((e) => e.message ?? '').join('');
    expect(messages).toMatch(/Picked Zenodo content provider/);
    expect(messages).toMatch(/zenodo in a pod/);
    expect(d.server.requestsTo('/api/records/7000001/files/Dockerfile/content')).toHaveLength(1);
  }, 300_000);

  it('its address guard refuses a file on a private address nobody allowed', async () => {
    d.zenodo.set('7000002', { Dockerfile: 'FROM scratch\n', 'README.md': '' });
    d.dois.set('10.5281/zenodo.7000002', '/records/7000002');
    const undo = d.server.fault('/api/records/7000002/files', {
      body: {
        entries: [
          { key: 'Dockerfile', links: { content: `${trap.origin}/x` } },
          { key: 'b', links: { content: `${trap.origin}/y` } },
        ],
      },
    });
    const rec = recorder();
    const run = env
      .backend()
      .run(await zenodoBuild('7000002'), rec.emit, new AbortController().signal);
    await expect(run).rejects.toThrowError(/127\.0\.0\.1 has a private or local address/);
    undo();
    expect(trap.connections).toBe(0);
  }, 300_000);
});
