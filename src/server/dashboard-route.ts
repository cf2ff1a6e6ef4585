import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';

export interface DashboardOptions {
  /** Folder holding the built dashboard (`index.html`, `assets/`); see `defaultDashboardRoot`. */
  root: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Vite names every file under assets/ after a hash of its content: a changed file gets a new name,
// so browsers may keep these forever. index.html names the current ones and must be revalidated.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
// The page loads only its own bundled files and talks only to this server.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gapwarden</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>gapwarden: dashboard not built</h1>
<p>The dashboard is not built: run <code>npm run build</code> in the gapwarden checkout, then reload.</p>
<p>The API answers meanwhile: <a href="/api/datasets">/api/datasets</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`;

/**
 * The built dashboard next to this module: `dist/web` of the package, found by
 * walking up to gapwarden's package.json. Works from `dist/server/` (installed
 * or built) and from `src/server/` run through tsx.
 */
export function defaultDashboardRoot(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'gapwarden.js'))) {
      return join(dir, 'dist', 'web');
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Not inside the package layout (bundled elsewhere): dist/server/ → dist/web.
  return resolve(dirname(fileURLToPath(moduleUrl)), '..', 'web');
}

/**
 * Serves the dashboard: `index.html` at `/` and the hashed files under `/assets/*`.
 * Answers 503 with a page saying how to build it when `root` has no `index.html`.
 */
export function registerDashboard(app: Hono, options: DashboardOptions): void {
  const root = resolve(options.root);
  const assets = join(root, 'assets');

  app.get('/', async (c) => {
    const file = await readIfFile(join(root, 'index.html'));
    if (!file) return c.html(NOT_BUILT, 503, { 'cache-control': REVALIDATE });
    c.header('content-security-policy', CSP);
    return send(c, file, '.html', REVALIDATE);
  });

  app.get('/assets/*', async (c) => {
    const rel = safeRelative(c.req.path.slice('/assets/'.length));
    const file = rel === undefined ? undefined : await readIfFile(join(assets, rel));
    if (!file) {
      if (!existsSync(join(root, 'index.html')))
        return c.html(NOT_BUILT, 503, { 'cache-control': REVALIDATE });
      return c.text('not found', 404, { 'cache-control': REVALIDATE });
    }
    return send(c, file, extname(rel!), IMMUTABLE);
  });
}

/**
 * The request path as a relative file path inside the folder, or undefined when it
 * could leave the folder or is not a plain name. Decoded first, so `..%2f` is caught too.
 */
function safeRelative(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return parts.join(sep);
}

async function readIfFile(path: string): Promise<{ body: Buffer; mtimeMs: number } | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    return { body: await readFile(path), mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

function send(
  c: Context,
  file: { body: Buffer; mtimeMs: number },
  ext: string,
  cacheControl: string,
): Response {
  const etag = `W/"${file.body.length.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'x-content-type-options': 'nosniff',
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(file.body), 200, headers);
}
