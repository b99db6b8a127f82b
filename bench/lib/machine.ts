import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Facts about the box a bench ran on, printed under each table. */
export function machineFacts(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${os.cpus().length} × ${cpu}, ${gib} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average ${load} (other work on the box competes for the 2 cores)`;
}

/** The soft limit on open files of a process (`/proc/<pid>/limits`). */
export function openFilesLimit(pid: number | 'self' = 'self'): number {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/** Resident set size of a process in bytes (`VmRSS` of `/proc/<pid>/status`). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}
