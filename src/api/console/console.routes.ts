/**
 * Serves the web console (built by `npm run build:console` into console/dist) at /console.
 */
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The page runs only its own scripts and cannot be framed (clickjacking: it holds an access key).
 * Audio may come from elsewhere — S3 presigned MediaUrls — and wavesurfer fetches it to draw the
 * waveform, so media and connections are open to http(s); wavesurfer also injects its own styles.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob: http: https:; connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Vite names built assets by content hash, so they never change under a name; the page itself must be revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** console/dist relative to this file, from both src/ (tsx) and dist/ (built). */
export function consoleDistDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', 'console', 'dist');
}

export function registerConsoleRoutes(app: FastifyInstance, { distDir = consoleDistDir() }: { distDir?: string } = {}) {
  const serve = async (file: string) => {
    const resolved = path.resolve(distDir, file);
    if (!resolved.startsWith(distDir + path.sep)) return null;
    try {
      return { body: await readFile(resolved), type: TYPES[path.extname(resolved)] ?? 'application/octet-stream' };
    } catch {
      return null;
    }
  };
  // Relative, so a client that reached /console through a prefix (/narrate/console) lands on /narrate/console/.
  app.get('/console', async (_request, reply) => reply.redirect('console/'));
  app.get('/console/*', async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'] || 'index.html';
    const asset = await serve(wanted);
    if (asset) return reply.type(asset.type).header('cache-control', wanted.startsWith('assets/') ? IMMUTABLE : REVALIDATE).headers(CONSOLE_SECURITY_HEADERS).send(asset.body);
    // A missing script or stylesheet is a 404, not the page (which the browser would refuse as a script anyway).
    if (wanted.startsWith('assets/')) return reply.code(404).type('text/plain').send('Not found.');
    const page = await serve('index.html');
    if (!page) return reply.code(404).type('text/plain').send('The console is not built: run `npm run build:console`.');
    return reply.type(page.type).header('cache-control', REVALIDATE).headers(CONSOLE_SECURITY_HEADERS).send(page.body);
  });
}
