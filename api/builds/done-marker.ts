import { randomUUID } from 'node:crypto';

const PREFIX = 'done-';

/**
 * The guard against EventSource's automatic reconnect: the terminal event of a stream
 * (`ready`, `failed`) carries the id `done-<uuid>`. A reconnect presenting such a
 * Last-Event-ID has already seen the end, so it is answered 204, which tells EventSource
 * to stop: it can never launch or build a second time.
 */
export function doneEventId(): string {
  return `${PREFIX}${randomUUID()}`;
}

export function isDoneEventId(lastEventId: string | undefined): boolean {
  return lastEventId?.startsWith(PREFIX) === true;
}
