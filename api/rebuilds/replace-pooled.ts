import {
  isTerminalBuildEvent,
  type EventBus,
  type Following,
  type Logger,
} from '../../queue/index.js';

export interface ReplacePooledDeps {
  bus: Pick<EventBus, 'follow'>;
  pool: { replaceImage(image: string): Promise<number> };
  log: Logger;
}

/**
 * Follows a forced rebuild in the background and, once it is built, takes the warm
 * pool's servers of the old image out (they would otherwise be handed to the next
 * launches until `LaunchPool.max_age`). Gives up after `timeoutMs` (the build's age limit).
 */
export function replacePooledWhenBuilt(
  d: ReplacePooledDeps,
  buildName: string,
  image: string,
  timeoutMs: number,
): void {
  let following: Following | undefined;
  let done = false;
  const end = () => {
    done = true;
    clearTimeout(timer);
    following?.();
  };
  const timer = setTimeout(end, timeoutMs);
  timer.unref();
  d.bus
    .follow(buildName, undefined, ({ event }) => {
      if (done || !isTerminalBuildEvent(event)) return;
      end();
      if (event.phase !== 'built') return;
      d.pool
        .replaceImage(image)
        .catch((err: Error) => d.log.warn({ err: err.message, image }, 'pool: not replaced'));
    })
    .then((f) => {
      if (done) f();
      else following = f;
    })
    .catch((err: Error) => d.log.warn({ err: err.message, buildName }, 'rebuild not followed'));
}
