/**
 * The console when things go wrong, in Chromium against a real Narrate: a failed request at the
 * wrong moment (failed at the network edge with playwright's page.route, the server itself is
 * real), a wrong secret on a phone-sized screen, a reload in the middle of a job, a key limited to
 * some actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { buildConsole, launchChromium } from './chromium.js';

/** Long enough to be still running when the console first asks, so its progress comes over the live stream. */
const LONG_TEXT = 'The quick brown fox jumps over the lazy dog, and then it runs back again. '.repeat(40);

/** What a server shutting down answers (Fastify's JSON, not an ICE error). */
const SHUTTING_DOWN = { status: 503, contentType: 'application/json', body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'Server is shutting down' }) };

function isAction(action: string) {
  return (url: URL) => url.pathname === '/' && url.searchParams.get('Action') === action;
}

/** Submits from the form; the new job's id, from the server's answer. */
async function submit(page: Page, text: string): Promise<string> {
  await page.getByTestId('text-input').fill(text);
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/'), page.getByTestId('submit').click()]);
  return ((await response.json()) as { JobId: string }).JobId;
}

function finished(page: Page, jobId: string) {
  return page.locator(`[data-testid=result][data-job-id="${jobId}"] [data-testid=result-state][data-state=Finished]`).waitFor({ timeout: 60_000 });
}

async function signIn(page: Page, key: { id: string; secret: string } = TEST_KEY): Promise<void> {
  await page.getByTestId('access-key-id').fill(key.id);
  await page.getByTestId('access-key-secret').fill(key.secret);
  await page.getByTestId('sign-in').click();
}

describe('console recovery, signed server', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await buildConsole();
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the finished job even when the fetch after the stream’s final event fails once, and clears that error', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await signIn(page);
    let streamOpened = false;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/events/job') streamOpened = true;
    });
    // The first GetSmartHandleJob (on selecting the job) goes through; the next one, which the final
    // state on the live stream triggers, meets a server that is shutting down.
    let calls = 0;
    await page.route(isAction('GetSmartHandleJob'), async (route: Route) => {
      calls++;
      if (calls === 2) await route.fulfill(SHUTTING_DOWN);
      else await route.continue();
    });
    await finished(page, await submit(page, LONG_TEXT));
    expect(streamOpened).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(3);
    await page.getByTestId('audio-player').waitFor();
    // The 503 of the failed fetch no longer stands above a finished job.
    expect(await page.getByTestId('result-error').count()).toBe(0);
    await page.close();
  });

  it('keeps the selected job across a reload, and shows page 1 when a job is submitted from page 2', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await signIn(page);
    // More than one page of jobs (10 a page), whether or not the other tests of this file ran first.
    for (let i = 0; i < 11; i++) await finished(page, await submit(page, `Job number ${i + 1}.`));
    await expect.poll(() => page.getByTestId('page-label').textContent(), { timeout: 20_000 }).toBe('Page 1 of 2');
    const jobId = await page.getByTestId('job-row').nth(3).getAttribute('data-job-id');
    // Clicked by its id: the list re-renders as it refreshes, and a row found by position could be
    // another job (or a detached element) by the time the click lands on a busy machine.
    await page.locator(`[data-testid=job-row][data-job-id="${jobId}"]`).click();
    // The address is updated after the click renders; a reload within that instant would keep the old one.
    await expect.poll(() => page.evaluate(() => window.location.hash), { timeout: 15_000 }).toBe(`#job=${jobId}`);
    await page.reload();
    await expect.poll(() => page.getByTestId('result').getAttribute('data-job-id')).toBe(jobId);
    expect(await page.getByTestId('job-row').and(page.locator('[aria-current=true]')).getAttribute('data-job-id')).toBe(jobId);

    await page.getByTestId('page-next').click();
    await expect.poll(() => page.getByTestId('page-label').textContent()).toBe('Page 2 of 2');
    const newest = await submit(page, 'The newest job.');
    await expect.poll(() => page.getByTestId('page-label').textContent()).toBe('Page 1 of 2');
    await expect.poll(() => page.getByTestId('job-row').first().getAttribute('data-job-id')).toBe(newest);
    await page.close();
  });

  it('keeps the focus on Submit when it is pressed by keyboard', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await signIn(page);
    await page.getByTestId('text-input').fill('Focus stays.');
    await page.getByTestId('submit').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('result').getAttribute('data-job-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('submit');
    await page.close();
  });

  it('puts a plain sentence for a wrong secret, without widening a 390 px screen', async () => {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/console/`);
    await signIn(page, { id: TEST_KEY.id, secret: 'wrong-secret' });
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toBe('The secret does not match this key id.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('signs in with a key that may not list voices, and lets the voice be typed', async () => {
    const narrow = { id: 'no-voices', secret: 'no-voices-secret' };
    await server.narrate.store.putAccessKey({ ...narrow, allowedActions: ['ice:SubmitAudioProduceJob', 'ice:GetSmartHandleJob', 'ice:ListSmartJobs'], active: true, createdAt: new Date() });
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/console/`);
    await signIn(page, narrow);
    await expect.poll(() => page.getByTestId('who').textContent()).toContain(narrow.id);
    await page.getByTestId('voices-unavailable').waitFor();
    // The server's message repeats the unknown name: one long word must wrap, not widen the page.
    await page.getByTestId('voice-input').fill('NoSuchVoice'.repeat(5));
    await page.getByTestId('text-input').fill('你好。');
    await page.getByTestId('submit').click();
    await page.locator('[data-field=voice] [data-testid=field-error]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByTestId('voice-input').fill('Xiaogang');
    await finished(page, await submit(page, '你好。'));
    await page.close();
  });
});

describe('console recovery, --allow-anonymous server', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await buildConsole();
    server = await startTestServer({ allowAnonymous: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('offers to try again, not to sign in, when the first anonymous probe fails', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    let failed = false;
    await page.route(isAction('ListSmartVoiceGroups'), async (route: Route) => {
      if (failed) return route.continue();
      failed = true;
      await route.fulfill(SHUTTING_DOWN);
    });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('probe-error').waitFor();
    expect(await page.getByTestId('access-key-id').count()).toBe(0);
    // A readable sentence, not the raw JSON body.
    expect(await page.getByTestId('probe-error').textContent()).toContain('The server answered HTTP 503: Server is shutting down');
    await page.getByTestId('probe-retry').click();
    await page.getByTestId('text-input').waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('Anonymous access');
    await page.close();
  });

  it('lets Ctrl+Z bring back the text an SSML example replaced', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('text-input').fill('My own words.');
    await page.locator('.examples .chip').nth(1).click();
    expect(await page.getByTestId('text-input').inputValue()).toContain('<break');
    await page.keyboard.press('Control+Z');
    expect(await page.getByTestId('text-input').inputValue()).toBe('My own words.');
    await page.close();
  });

  it('plays and draws the audio on a page opened as localhost while MediaUrl names 127.0.0.1', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/console/`);
    await finished(page, await submit(page, 'Another host name for the same server.'));
    // wavesurfer hands the element the file it fetched and decoded: that fetch worked.
    await expect.poll(() => page.getByTestId('audio-player').evaluate((audio: HTMLAudioElement) => audio.currentSrc), { timeout: 15_000 }).toMatch(/^blob:/);
    expect(await page.getByTestId('player-error').count()).toBe(0);
    expect(await page.getByTestId('download').getAttribute('href')).toMatch(/^\/buckets\//);
    await page.close();
  });
});
