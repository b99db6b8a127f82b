import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { startApi } from '../../api/start-api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export interface ApiCode {
  /** `startApi` of the compiled `dist/`, or undefined: the sources run through tsx. */
  startApi?: typeof startApi;
  label: string;
}

/**
 * The api code a bench's api process runs: the compiled `dist/` (what the container image
 * and `scripts/stack.sh` run) when `npm run build` is newer than every source, else the
 * sources through tsx, as the tests do. tsx keeps function names by giving each function
 * object a property of its own, which costs memory per closure: per-stream figures differ.
 * `BENCH_API_CODE=tsx` forces the sources.
 */
export async function apiCode(): Promise<ApiCode> {
  const built = join(ROOT, 'dist', 'api', 'start-api.js');
  if (process.env['BENCH_API_CODE'] === 'tsx') return { label: 'sources through tsx (forced)' };
  const sources = Math.max(...['api', 'queue'].map((d) => newestSource(join(ROOT, d))));
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    return { label: 'sources through tsx (dist/ missing or stale: npm run build)' };
  }
  const mod = (await import(pathToFileURL(built).href)) as { startApi: typeof startApi };
  return { startApi: mod.startApi, label: 'compiled dist/' };
}
