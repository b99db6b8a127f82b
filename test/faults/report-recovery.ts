/** Prints a measured recovery time (for docs/operating.md's "what happens when…" table). */
export function reportRecovery(what: string, ms: number): void {
  process.stdout.write(`[recovery] ${what}: ${(ms / 1000).toFixed(1)} s\n`);
}
