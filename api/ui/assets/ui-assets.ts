import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleUi, contentTypeFor, type UiAsset } from './ui-bundler.js';

/** The browser bundle, served under `/static/`. */
export interface UiAssets {
  /** True when bundled on the fly from source (served with `no-cache`). */
  readonly dev: boolean;
  get(name: string): Promise<UiAsset | undefined>;
}

/** The bundle could not be produced or found; the message says what to run. */
export class UiAssetsMissingError extends Error {
  override readonly name = 'UiAssetsMissingError';
}

function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

export interface UiAssetsOptions {
  /** `dev`: bundle in memory on first use; `dist`: read `dist/ui/` (from `npm run build`). */
  mode?: 'dev' | 'dist';
  rootDir?: string;
}

/**
 * Where the bundle comes from. Running from TypeScript source (tsx, vitest) means `dev`:
 * esbuild bundles once per process on the first request, so no build step is needed.
 * Running compiled JavaScript means `dist`: the files `npm run build` wrote to `dist/ui/`.
 */
export function createUiAssets(opts: UiAssetsOptions = {}): UiAssets {
  const here = fileURLToPath(import.meta.url);
  const mode = opts.mode ?? (here.endsWith('.ts') ? 'dev' : 'dist');
  const root = opts.rootDir ?? projectRoot(dirname(here));
  if (mode === 'dev') {
    let bundle: Promise<Map<string, UiAsset>> | undefined;
    return {
      dev: true,
      async get(name) {
        bundle ??= bundleUi(root).catch((err: unknown) => {
          bundle = undefined;
          throw err;
        });
        return (await bundle).get(name);
      },
    };
  }
  const dir = join(root, 'dist', 'ui');
  const cache = new Map<string, UiAsset>();
  return {
    dev: false,
    async get(name) {
      if (!/^[\w.-]+$/.test(name)) return undefined;
      const hit = cache.get(name);
      if (hit) return hit;
      if (!existsSync(dir)) {
        throw new UiAssetsMissingError(
          `UI assets not built: ${dir} is missing; run \`npm run build\``,
        );
      }
      const body = await readFile(join(dir, name)).catch(() => undefined);
      if (!body) return undefined;
      const asset = { body, contentType: contentTypeFor(name) };
      cache.set(name, asset);
      return asset;
    },
  };
}
