import { basename } from 'node:path';

/** One file of the UI bundle. */
export interface UiAsset {
  body: Buffer;
  contentType: string;
}

/** Entry points of the browser bundle, relative to the project root. */
export const UI_ENTRIES: Record<string, string> = {
  home: 'api/ui/client/home.ts',
  launch: 'api/ui/client/launch.ts',
  styles: 'api/ui/client/styles.css',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export function contentTypeFor(name: string): string {
  const ext = name.slice(name.lastIndexOf('.'));
  return TYPES[ext] ?? 'application/octet-stream';
}

/** esbuild is a build-time dependency: it is missing where only production deps are installed. */
export class BundlerUnavailableError extends Error {
  override readonly name = 'BundlerUnavailableError';
}

/**
 * Bundles the browser scripts and the stylesheet (xterm.js and its CSS included, from
 * node_modules: no CDN) with esbuild, in memory. `scripts/build-ui.mjs` writes the result
 * to `dist/ui/`; when running from source the server calls this on first request.
 */
export async function bundleUi(rootDir: string): Promise<Map<string, UiAsset>> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new BundlerUnavailableError(`esbuild is not installed (${(err as Error).message})`);
  }
  const result = await esbuild.build({
    absWorkingDir: rootDir,
    entryPoints: UI_ENTRIES,
    bundle: true,
    write: false,
    outdir: 'ui-out',
    format: 'iife',
    minify: true,
    target: ['chrome109', 'firefox115', 'safari15.4'],
    legalComments: 'eof',
    logLevel: 'silent',
  });
  // esbuild's service process pings this one every second while it lives: stop it, the
  // bundle is made once per process (a later call would start it again).
  await esbuild.stop();
  const assets = new Map<string, UiAsset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    assets.set(name, { body: Buffer.from(file.contents), contentType: contentTypeFor(name) });
  }
  return assets;
}
