/**
 * Builds the console into console/dist, served by the API at /console/ (src/api/console). Everything is
 * bundled; nothing is loaded from a CDN at run time.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative, so the page also works under a path prefix (a proxy serving Narrate at /narrate/).
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: {
    // `npx vite console` while `narrate serve` runs on 8080: the API is proxied, so the page's same-origin calls work.
    proxy: { '^/(\\?|$)': 'http://127.0.0.1:8080', '/events': 'http://127.0.0.1:8080', '/buckets': 'http://127.0.0.1:8080' },
  },
});
