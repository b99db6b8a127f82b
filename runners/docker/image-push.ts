import type { BuildEvent, Logger } from '../../queue/index.js';
import { BuildFailedError } from '../build-failed-error.js';
import { DockerEngine, EngineUnreachableError, jsonLines } from './docker-engine.js';

export interface RegistryCredentials {
  registry: string;
  username: string;
  password: string;
}

export interface PushOptions {
  engine: DockerEngine;
  credentials?: RegistryCredentials;
  /** Pushes tried before the build fails (`DockerBuildExecutor.push_attempts`). */
  attempts: number;
  /** Delay before the second attempt, doubled for each next one (ms). */
  retryDelayMs: number;
  /** Tells the people waiting (each event in order, after the log). */
  say: (event: BuildEvent) => Promise<void>;
  signal: AbortSignal;
  log: Logger;
}

/** A push the engine or the registry refused or could not finish. */
class PushError extends Error {}

/** `repo[:tag]` → repository and tag (a `:` after the last `/` starts the tag). */
function splitTag(image: string): { repo: string; tag: string } {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash
    ? { repo: image.slice(0, colon), tag: image.slice(colon + 1) }
    : { repo: image, tag: 'latest' };
}

/** X-Registry-Auth: the credentials as base64url JSON (`{}` without any). */
function registryAuth(c?: RegistryCredentials): string {
  const auth = c ? { username: c.username, password: c.password, serveraddress: c.registry } : {};
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

/** One push through the engine, relaying its layer and digest lines; throws PushError. */
async function pushOnce(image: string, o: PushOptions): Promise<void> {
  const { repo, tag } = splitTag(image);
  const res = await o.engine.request(
    `/images/${encodeURIComponent(repo)}/push?tag=${encodeURIComponent(tag)}`,
    {
      method: 'POST',
      headers: { 'X-Registry-Auth': registryAuth(o.credentials) },
      signal: o.signal,
    },
  );
  if (res.statusCode !== 200) {
    res.resume();
    throw new PushError(`the engine answered ${res.statusCode}`);
  }
  let sawDigest = false;
  for await (const line of jsonLines(res)) {
    if (typeof line.error === 'string') throw new PushError(line.error);
    const status = typeof line.status === 'string' ? line.status : '';
    if (/digest: sha256:/.test(status)) sawDigest = true;
    if (status === 'Pushed' || status === 'Layer already exists' || sawDigest) {
      const id = typeof line.id === 'string' ? `${line.id}: ` : '';
      await o.say({ phase: 'pushing', message: `${id}${status}\n` });
    }
  }
  if (!sawDigest) throw new PushError('the push ended without a digest');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pushes a built image to its registry through the Docker engine, retrying with backoff
 * (`attempts` in all) while the registry (or the engine) does not take it. The image
 * stays in the engine, so when every attempt fails, a reload only pushes it again.
 */
export async function pushImage(image: string, o: PushOptions): Promise<void> {
  const registry = splitTag(image).repo.split('/')[0];
  await o.say({ phase: 'pushing', message: `Pushing image ${image}\n` });
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await pushOnce(image, o);
      // The upload's share of a build's time (all of it for a new base layer).
      o.log.info({ image, attempt, seconds: (Date.now() - started) / 1000 }, 'image pushed');
      return;
    } catch (err) {
      if (!(err instanceof PushError || err instanceof EngineUnreachableError)) throw err;
      const reason =
        err instanceof EngineUnreachableError ? `the Docker engine: ${err.message}` : err.message;
      o.log.warn({ image, attempt, err: reason }, 'push failed');
      if (attempt >= o.attempts || o.signal.aborted) {
        throw new BuildFailedError(
          `The image was built, but pushing it to the registry ${registry} failed ${attempt === 1 ? 'once' : `${attempt} times`} (the registry was unavailable: ${reason}). Reload the page to try again: the image is kept, so it is only pushed, not built again.`,
        );
      }
      const delay = o.retryDelayMs * 2 ** (attempt - 1);
      await o.say({
        phase: 'pushing',
        message: `Pushing failed (${reason}); trying again in ${Math.round(delay / 1000)} s\n`,
      });
      await pause(delay);
    }
  }
}
