/**
 * Shared by the build-economy tests (issue 15): slow test repositories, their ticks, the
 * state of a build's job, and what is left of a build in the engine and the registry.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Harness } from './binder-harness.js';
import type { ReceivedEvent } from './sse-client.js';
import { dockerApi, stackInfo } from './stack.js';

/** A Dockerfile whose one step prints `tick 1` … `tick n`, a second apart; `marker` defeats the cache. */
export function slowDockerfile(marker: string, ticks: number): string {
  return [
    'FROM binderhub-ts/jupyter-base:1',
    `RUN echo "run ${marker}" && for i in $(seq 1 ${ticks}); do echo "tick $i"; sleep 1; done`,
    '',
  ].join('\n');
}

/** The tick numbers in events (Docker may put several output lines in one message). */
export const ticks = (events: ReceivedEvent[]): number[] =>
  events.flatMap((e) => [...(e.message ?? '').matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The only job of the harness's queue in one of `states` (its id is the build name). */
export async function onlyJob(h: Harness, states: Array<'active' | 'waiting' | 'prioritized'>) {
  const jobs = await h.api.runtime.deps.buildQueue.bullmq.getJobs(states);
  if (jobs.length !== 1) throw new Error(`expected one job, found ${jobs.length}`);
  return jobs[0]!;
}

/** Polls a build's job state until `until` accepts it (or `timeoutMs` passes). */
export async function waitForState(
  h: Harness,
  buildName: string,
  until: (state: string | undefined) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await h.api.runtime.deps.buildQueue.jobState(buildName);
    if (until(state?.state) || Date.now() > deadline) return state;
    await sleep(200);
  }
}

/** The pids of a build's repo2docker runs (docker backend work folder). */
export async function runPids(h: Harness, buildName: string): Promise<number[]> {
  const base = join(h.config.DockerBuildExecutor.work_dir, buildName);
  const pids: number[] = [];
  for (const run of await readdir(base).catch(() => [] as string[])) {
    const pid = Number((await readFile(join(base, run, 'pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0) pids.push(pid);
  }
  return pids;
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Containers (any state) whose command mentions `marker`: the build step's container. */
export async function containersWith(marker: string): Promise<string[]> {
  const { body } = await dockerApi('/containers/json?all=1');
  const list = JSON.parse(body) as Array<{ Id: string; Command: string }>;
  return list.filter((c) => c.Command.includes(marker)).map((c) => c.Id);
}

/** The registry's manifest digest of `image` (`127.0.0.1:5000/repo:tag`), or undefined (404). */
export async function registryDigest(image: string): Promise<string | undefined> {
  const s = stackInfo();
  const noHost = image.slice(image.indexOf('/') + 1);
  const colon = noHost.lastIndexOf(':');
  const res = await fetch(
    `${s.registryUrl}/v2/${noHost.slice(0, colon)}/manifests/${noHost.slice(colon + 1)}`,
    {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    },
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`registry answered ${res.status} for ${image}`);
  return res.headers.get('docker-content-digest') ?? undefined;
}

/** The engine's image id of `image`, or undefined. */
export async function engineImageId(image: string): Promise<string | undefined> {
  const { status, body } = await dockerApi(`/images/${encodeURIComponent(image)}/json`);
  if (status === 404) return undefined;
  return (JSON.parse(body) as { Id: string }).Id;
}
