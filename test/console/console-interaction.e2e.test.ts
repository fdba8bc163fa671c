/**
 * The console while the user is in the middle of something, in Chromium against a real Narrate
 * (--allow-anonymous, so jobs made through the API are on the same list): the job list changing
 * under the pointer or the keyboard focus, a rate-limited server, a PCM result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/narrate-server.js';
import { buildConsole, launchChromium } from './chromium.js';

/** An unsigned submit, as another client of this server would make it. */
async function apiSubmit(server: TestServer, text: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'SubmitAudioProduceJob',
    Format: 'JSON',
    Version: '2020-11-09',
    InputConfig: text,
    EditingConfig: '{"voice":"Xiaoyun","format":"MP3"}',
    OutputConfig: `{"bucket":"e2e","object":"api/${Math.random().toString(36).slice(2)}"}`,
  });
  const response = await fetch(`${server.url}/`, { method: 'POST', body });
  const answer = (await response.json()) as { JobId?: string; Message?: string };
  if (!answer.JobId) throw new Error(`submit failed: ${JSON.stringify(answer)}`);
  return answer.JobId;
}

/** Resolves when the console's own job list request returns `total` jobs. */
function listAnswered(page: Page, total: number) {
  return page.waitForResponse(async (response) => {
    if (new URL(response.url()).searchParams.get('Action') !== 'ListSmartJobs') return false;
    return Number(((await response.json()) as { TotalCount: string }).TotalCount) === total;
  }, { timeout: 20_000 });
}

const rowIds = (page: Page) => page.getByTestId('job-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id')));

describe('console interaction, --allow-anonymous server', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await buildConsole();
    server = await startTestServer({ allowAnonymous: true });
    browser = await launchChromium();
    // A full first page: a new job pushes the last row onto page 2.
    for (let i = 0; i < 10; i++) await apiSubmit(server, `Job number ${i + 1}.`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the rows still under the pointer and the keyboard focus while new jobs arrive, then shows them', async () => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1360, height: 1200 } });
    await page.goto(`${server.url}/console/`);
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 20_000 }).toBe(10);
    await expect.poll(() => page.getByTestId('page-label').textContent(), { timeout: 20_000 }).toBe('Page 1 of 1');
    const before = await rowIds(page);

    // The keyboard on the last row: that row would leave the page, taking the focus with it.
    await page.getByTestId('job-row').last().focus();
    let answered = listAnswered(page, 11);
    await apiSubmit(server, 'A new job while a row has the focus.');
    await answered;
    await expect.poll(() => page.getByTestId('page-label').textContent()).toBe('Page 1 of 2');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-job-id'))).toBe(before[9]);
    expect(await rowIds(page)).toEqual(before);

    // The pointer on the third row: a job arriving must not slide another one under it.
    const third = page.getByTestId('job-row').nth(2);
    await third.hover();
    await page.getByTestId('state-filter').first().focus();
    answered = listAnswered(page, 12);
    await apiSubmit(server, 'A new job while the pointer is on a row.');
    await answered;
    expect(await rowIds(page)).toEqual(before);
    await third.click();
    await expect.poll(() => page.url()).toContain(`#job=${before[2]}`);

    // Once the pointer and the focus (the click put it on the row) have left, the new jobs appear at the top.
    await page.mouse.move(5, 5);
    await page.getByTestId('state-filter').first().focus();
    await expect.poll(async () => (await rowIds(page)).slice(2), { timeout: 20_000 }).toEqual(before.slice(0, 8));
    await page.close();
  });

  it('says that the rate limit was reached, not that the server is unreachable, in both languages', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('job-row').first().waitFor({ timeout: 20_000 });
    // What the server answers a key over its --rate-limit.
    await page.route(
      (url) => url.pathname === '/',
      (route: Route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          headers: { 'retry-after': '1' },
          body: JSON.stringify({ RequestId: 'R', HostId: '127.0.0.1', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }),
        }),
    );
    await expect.poll(() => page.getByTestId('live').textContent(), { timeout: 20_000 }).toContain('Not updating: see the error below');
    expect(await page.locator('.jobs .error').textContent()).toBe('Too many requests: this key has reached the server’s rate limit. Wait a moment and try again.');
    await page.getByTestId('text-input').fill('Too fast.');
    await page.getByTestId('submit').click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Too many requests');
    await page.getByTestId('locale-select').selectOption('zh');
    await page.getByTestId('submit').click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toBe('请求过于频繁：该 AccessKey 已达到服务器的限流上限。请稍候再试。');
    // The job list keeps asking, and says so in the language now chosen.
    await expect.poll(() => page.locator('.jobs .error').textContent(), { timeout: 20_000 }).toBe('请求过于频繁：该 AccessKey 已达到服务器的限流上限。请稍候再试。');
    expect(await page.getByTestId('live').textContent()).toContain('未在更新：见下方错误');

    await page.unrouteAll();
    await expect.poll(() => page.getByTestId('live').textContent(), { timeout: 20_000 }).toContain('实时更新');
    await page.close();
  });

  it('says why a PCM result has no player, and offers no sentence to play from', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('text-input').fill('First sentence. Second sentence.');
    await page.locator('#field-format').selectOption('PCM');
    await page.getByTestId('submit').click();
    await page.locator('[data-testid=result-state][data-state=Finished]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('pcm-note').textContent()).toContain('a browser cannot play');
    expect(await page.getByTestId('download').getAttribute('download')).toMatch(/\.pcm$/);
    // The sentences and their times are still listed, but as text: there is nothing to play them with.
    await expect.poll(() => page.getByTestId('segment').count()).toBe(2);
    expect(await page.locator('button[data-testid=segment]').count()).toBe(0);
    expect(await page.locator('[data-testid=segment][aria-current]').count()).toBe(0);
    expect(await page.getByText('Click a sentence to play from there.').count()).toBe(0);
    await page.close();
  });
});
