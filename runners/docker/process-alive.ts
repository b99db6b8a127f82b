import { readFile } from 'node:fs/promises';

/** True when `pid` is a live process whose command line mentions `needle`. */
export async function processAlive(pid: number, needle: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline === '' || cmdline.includes(needle);
}

/** Signals a whole process group (a detached build and its children); ignores the already-gone. */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a detached build for good: SIGTERM to its process group (repo2docker, its
 * wrapper, any child), SIGKILL after `graceMs` if it is still there; resolves once it is
 * gone. repo2docker's connection to the engine closes with it, and the engine then stops
 * the build and removes its build container.
 */
export async function stopGroup(pid: number, needle: string, graceMs = 10_000): Promise<void> {
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (await processAlive(pid, needle)) {
    if (Date.now() > deadline) {
      killGroup(pid, 'SIGKILL');
      await pause(200);
      return;
    }
    await pause(100);
  }
}
