#!/usr/bin/env node
// Runs the compiled CLI when built (npm run build), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/bin/binderhub-ts.js', import.meta.url));
if (existsSync(compiled)) {
  await import(compiled);
} else {
  await import('tsx/esm');
  await import('./binderhub-ts.ts');
}
