import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../queue/index.js';
import type { BuildBackend, BuildRequest, EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';
import { repo2dockerArgs } from '../repo2docker-args.js';
import { BuildPodSession } from './build-pod-session.js';
import { kubeErrorMessage } from './kube-api-error.js';
import { KubernetesCleaner } from './kubernetes-cleaner.js';
import type { KubernetesBackendSettings } from './kubernetes-settings.js';
import { buildPodAffinity } from './pod-affinity.js';
import { NO_CACHE_ENV, REPO2DOCKER_CONFIG_FILE } from '../content-provider-config.js';
import { buildPodSpec, REPO2DOCKER_CONFIG_DIR } from './pod-spec.js';
import { rendezvousRank } from './rendezvous-rank.js';

export interface KubernetesBuildBackendOptions {
  kubeConfig: KubeConfig;
  settings: KubernetesBackendSettings;
  log: Logger;
}

/**
 * Builds in Kubernetes pods running repo2docker, as upstream's KubernetesBuildExecutor.
 * The pod's name is the build name, so a second run of the same build (another runner,
 * or this runner after a restart) attaches to the pod instead of building twice; runs
 * of one build in this process share one watch and one log stream.
 */
export class KubernetesBuildBackend implements BuildBackend {
  readonly name = 'kubernetes';
  readonly cleaner: KubernetesCleaner;
  private readonly api: CoreV1Api;
  private readonly sessions = new Map<string, BuildPodSession>();

  constructor(private readonly o: KubernetesBuildBackendOptions) {
    this.api = o.kubeConfig.makeApiClient(CoreV1Api);
    this.cleaner = new KubernetesCleaner({
      api: this.api,
      namespace: o.settings.namespace,
      maxAgeMs: o.settings.cleanerMaxAgeMs,
      intervalMs: o.settings.cleanupIntervalMs,
      log: o.log.child({ component: 'cleaner' }),
    });
    if (o.settings.cleanerEnabled && o.settings.cleanupIntervalMs > 0) this.cleaner.start();
  }

  run(req: BuildRequest, emit: EmitEvent, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new BuildFailedError('Build cancelled', 'cancelled'));
    const cancel = req.cancel;
    if (cancel?.aborted)
      return Promise.reject(new BuildFailedError(String(cancel.reason), 'cancelled'));
    const session = this.sessions.get(req.job.buildName) ?? this.startSession(req);
    // Cancelled for good (nobody waits): the pod is deleted, unlike a runner stopping.
    const onCancel = () => void session.cancel(String(cancel?.reason));
    cancel?.addEventListener('abort', onCancel, { once: true });
    return session.join(emit, signal).finally(() => cancel?.removeEventListener('abort', onCancel));
  }

  /** Builds in progress in this process, by build name. */
  activeBuilds(): string[] {
    return [...this.sessions.keys()];
  }

  private startSession(req: BuildRequest): BuildPodSession {
    const name = req.job.buildName;
    const log = this.o.log.child({ build: name });
    const session: BuildPodSession = new BuildPodSession(name, {
      api: this.api,
      kubeConfig: this.o.kubeConfig,
      settings: this.o.settings,
      log,
      makePod: () => this.podFor(req, log),
      requestedAt: req.job.requestedAt,
      onClosed: () => {
        if (this.sessions.get(name) === session) this.sessions.delete(name);
      },
    });
    this.sessions.set(name, session);
    // start() yields before its first event, so the caller joins before anything is sent.
    void session.start();
    return session;
  }

  async builderInfo(): Promise<Record<string, string>> {
    return { build_image: this.o.settings.buildImage };
  }

  /** Stops the cleaner; builds in progress keep their pods (a runner re-attaches). */
  async close(): Promise<void> {
    await this.cleaner.stop();
  }

  /** The pod for a request, with the sticky node when sticky builds are on. */
  async podFor(req: BuildRequest, log: Logger): Promise<V1Pod> {
    const s = this.o.settings;
    // The pod's env is readable by whoever reads pods: a user's own token never goes there.
    if (req.job.userToken !== undefined) {
      throw new BuildFailedError(
        "This repository builds with your own credentials, which the Kubernetes build backend does not support yet (the token would be in the build pod's spec); ask the operator to use the docker backend for such builds",
      );
    }
    return buildPodSpec({
      name: req.job.buildName,
      repoUrl: req.job.repoUrl,
      args: [
        'jupyter-repo2docker',
        ...repo2dockerArgs(req, `${REPO2DOCKER_CONFIG_DIR}/${REPO2DOCKER_CONFIG_FILE}`),
      ],
      buildImage: s.buildImage,
      dockerHost: s.dockerHost,
      pushSecret: req.push ? s.pushSecret : '',
      repo2dockerConfigMap: s.repo2dockerConfigMap,
      registryCredentials: s.registryCredentials,
      // A forced rebuild builds every layer again (repo2docker_config.py reads it).
      contentEnv: req.job.rebuild ? { ...req.content.env, [NO_CACHE_ENV]: '1' } : req.content.env,
      resources: s.resources,
      nodeSelector: s.nodeSelector,
      tolerations: s.tolerations,
      imagePullSecrets: s.imagePullSecrets,
      extraEnvs: s.extraEnvs,
      hostNetwork: s.hostNetwork,
      serviceAccount: s.serviceAccount,
      affinity: buildPodAffinity(
        s.stickyBuilds ? await this.stickyNode(req.job.repoUrl, log) : undefined,
      ),
    });
  }

  /** The node rendezvous hashing picks for the repository among image-builder pods' nodes. */
  private async stickyNode(repoUrl: string, log: Logger): Promise<string | undefined> {
    try {
      const { items } = await this.api.listNamespacedPod({
        namespace: this.o.settings.namespace,
        labelSelector: this.o.settings.imageBuilderSelector,
      });
      const nodes = items.map((p) => p.spec?.nodeName).filter((n): n is string => !!n);
      return nodes.length ? rendezvousRank(nodes, repoUrl)[0] : undefined;
    } catch (err) {
      log.warn({ err: kubeErrorMessage(err) }, 'cannot list image-builder pods; no sticky node');
      return undefined;
    }
  }
}
