/**
 * The published Binder clients as a web page on ANOTHER origin than the api and the hub:
 * the browser entries in ./pages bundled with esbuild (the npm packages unchanged, no
 * CDN) and served from `http://localhost:<port>/` — another host than 127.0.0.1, so
 * another site too, as a book on its own domain would be.
 */
import http from 'node:http';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Page name → browser entry. */
export const CLIENT_PAGES = {
  'binderhub-client': join(HERE, 'pages', 'binderhub-client.page.ts'),
  'thebe-core': join(HERE, 'pages', 'thebe-core.page.ts'),
} as const;
export type ClientPage = keyof typeof CLIENT_PAGES;

export interface ServedPages {
  /** `http://localhost:<port>` */
  origin: string;
  /**
   * The page on `origin`, or (`elsewhere`) on `http://127.0.0.1:<port>`: the same files
   * from an origin a CORS setting naming `origin` does not allow.
   */
  url(page: ClientPage, elsewhere?: 'elsewhere'): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const html = (page: string, css: boolean) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${page}</title>` +
  (css ? `<link rel="stylesheet" href="${page}.page.css">` : '') +
  `</head><body><h1>${page} on another origin</h1><script src="${page}.page.js"></script></body></html>`;

/** Bundles every page (once; a few seconds for thebe-core and JupyterLab's services). */
export async function bundleClientPages(): Promise<Map<string, Buffer>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: Object.values(CLIENT_PAGES),
    bundle: true,
    write: false,
    outdir: 'pages-out',
    format: 'iife',
    platform: 'browser',
    target: ['chrome109'],
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      '.woff': 'empty',
      '.woff2': 'empty',
      '.ttf': 'empty',
      '.eot': 'empty',
      '.svg': 'dataurl',
    },
    logLevel: 'error',
  });
  await esbuild.stop();
  const files = new Map<string, Buffer>();
  for (const file of result.outputFiles) files.set(basename(file.path), Buffer.from(file.contents));
  for (const page of Object.keys(CLIENT_PAGES))
    files.set(`${page}.html`, Buffer.from(html(page, files.has(`${page}.page.css`))));
  return files;
}

/** Serves the bundled pages on a free port of 127.0.0.1, addressed as `localhost`. */
export async function serveClientPages(files: Map<string, Buffer>): Promise<ServedPages> {
  const server = http.createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
    const body = files.get(name);
    if (!body) return void res.writeHead(404).end('not found');
    const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server: no port');
  const origin = `http://localhost:${address.port}`;
  return {
    origin,
    url: (page, elsewhere) =>
      `${elsewhere ? `http://127.0.0.1:${address.port}` : origin}/${page}.html`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
