#!/usr/bin/env node
// Runs the compiled CLI (npm run build) when it is newer than every TypeScript source,
// else the sources through tsx, so a stale dist/ never runs by mistake.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'bin', 'binderhub-ts.js');

function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  ...['api', 'queue', 'runners', 'bin'].map((d) => newestSource(join(root, d))),
);
if (existsSync(compiled) && statSync(compiled).mtimeMs >= sources) {
  await import(compiled);
} else {
  await import('tsx/esm');
  await import('./binderhub-ts.ts');
}
