#!/usr/bin/env node
/* global console, performance */
// Bundles the web UI (api/ui/client: scripts, stylesheet, xterm.js) into dist/ui/.
// `npm run build` runs it after tsc, so it imports the compiled bundler from dist/;
// run alone, it loads the TypeScript source through tsx instead.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function loadBundler() {
  try {
    return await import('../dist/api/ui/assets/ui-bundler.js');
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return import('../api/ui/assets/ui-bundler.ts');
  }
}

const { bundleUi } = await loadBundler();
const started = performance.now();
const assets = await bundleUi(root);
const out = join(root, 'dist', 'ui');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
for (const [name, asset] of assets) {
  await writeFile(join(out, name), asset.body);
  console.log(`dist/ui/${name}  ${(asset.body.length / 1024).toFixed(1)} KiB`);
}
console.log(`UI bundled in ${Math.round(performance.now() - started)} ms`);
