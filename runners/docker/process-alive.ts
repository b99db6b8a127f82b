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
