/**
 * Narrate behind a reverse proxy that serves it under /narrate and strips that prefix (a real
 * HTTP proxy on loopback, --public-url http://…/narrate): the console, opened in Chromium at
 * /narrate/console/, calls the API through the proxy, and the audio it offers downloads through
 * it too (the signed URL is signed over the path Narrate itself sees).
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { buildConsole, launchChromium } from './chromium.js';

const PREFIX = '/narrate';

/** Forwards /narrate/… to the server as /…; anything else is the proxy's own 404. */
function startStrippingProxy(): Promise<{ port: number; setTarget: (port: number) => void; seen: string[]; close: () => Promise<void> }> {
  let target = 0;
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(url);
    if (!url.startsWith(`${PREFIX}/`)) {
      res.writeHead(404).end('not under the prefix');
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: url.slice(PREFIX.length), headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () =>
      resolve({
        port: (proxy.address() as AddressInfo).port,
        setTarget: (port) => (target = port),
        seen,
        close: () =>
          new Promise<void>((done) => {
            proxy.closeAllConnections();
            proxy.close(() => done());
          }),
      }),
    ),
  );
}

describe('the console behind a proxy that strips a path prefix', () => {
  let proxy: Awaited<ReturnType<typeof startStrippingProxy>>;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildConsole();
    proxy = await startStrippingProxy();
    server = await startTestServer({ publicUrl: `http://127.0.0.1:${proxy.port}${PREFIX}` });
    proxy.setTarget(server.port);
    browser = await launchChromium();
    page = await browser.newPage({ locale: 'en-US', acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await proxy?.close();
  });

  it('signs in, submits, and downloads the audio, every request going through the prefix', async () => {
    // Without the trailing slash, as a user types it: the redirect keeps the prefix.
    await page.goto(`http://127.0.0.1:${proxy.port}${PREFIX}/console`);
    expect(new URL(page.url()).pathname).toBe(`${PREFIX}/console/`);
    await page.getByTestId('access-key-id').fill(TEST_KEY.id);
    await page.getByTestId('access-key-secret').fill(TEST_KEY.secret);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('text-input').fill('Behind a proxy. Second sentence.');
    await page.getByTestId('submit').click();
    await page.locator('[data-testid=result-state][data-state=Finished]').waitFor({ timeout: 60_000 });

    const href = await page.getByTestId('download').getAttribute('href');
    expect(new URL(href!, page.url()).pathname.startsWith(`${PREFIX}/buckets/`)).toBe(true);
    const [download] = (await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.getByTestId('download').click()])) as [Download, unknown];
    const bytes = await readFile((await download.path())!);
    // An MP3 (ID3 tag or frame sync), not the server's refusal of a bad signature.
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.subarray(0, 3).toString('latin1') === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)).toBe(true);

    // The API calls went to /narrate/ too; nothing reached the proxy outside the prefix.
    expect(proxy.seen.some((url) => url.startsWith(`${PREFIX}/?`) || url === `${PREFIX}/`)).toBe(true);
    expect(proxy.seen.filter((url) => !url.startsWith(`${PREFIX}/`))).toEqual([]);
  });
});
