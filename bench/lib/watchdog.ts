/**
 * Bounds a bench's run time: if it has not finished after `limitMs`, say which stage it
 * was in and exit 1 instead of hanging (a stuck bench must not hold up a CI job). The
 * timer is unref'd, so it never keeps a finished bench alive; stage `exit` in the
 * message means the work was done but some handle (a socket, a timer) was left open.
 */
export interface Watchdog {
  stage(name: string): void;
  stop(): void;
}

export function startWatchdog(
  limitMs: number,
  exit: (code: number) => void = process.exit,
): Watchdog {
  let current = 'start';
  const timer = setTimeout(() => {
    process.stderr.write(`bench timed out after ${limitMs / 1000} s in stage "${current}"\n`);
    exit(1);
  }, limitMs);
  timer.unref();
  return {
    stage(name) {
      current = name;
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** Resolves with `value`, or with `fallback` once `ms` have passed. */
export function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
