/**
 * The console's downloads in Chromium against a real Narrate whose signed URLs live 3 seconds
 * (--presign-seconds 3): the audio and the ticked subtitle files save under their own names, and a
 * link clicked after its URL expired still saves the file, not the server's AccessDenied answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, Download, Page } from 'playwright-core';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { buildConsole, launchChromium } from './chromium.js';

const PRESIGN_SECONDS = 3;

async function saved(page: Page, testId: string, format?: string): Promise<{ name: string; bytes: Buffer }> {
  const link = format ? page.locator(`[data-testid=${testId}][data-format=${format}]`) : page.getByTestId(testId);
  const [download] = (await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), link.click()])) as [Download, unknown];
  return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
}

/** An MP3 starts with an ID3 tag or a frame sync; the server's refusal would be JSON. */
function isMp3(bytes: Buffer): boolean {
  return bytes.length > 1000 && (bytes.subarray(0, 3).toString('latin1') === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0));
}

describe('console downloads with short-lived signed URLs', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildConsole();
    server = await startTestServer({ presignSeconds: PRESIGN_SECONDS });
    browser = await launchChromium();
    page = await browser.newPage({ locale: 'en-US', acceptDownloads: true });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('access-key-id').fill(TEST_KEY.id);
    await page.getByTestId('access-key-secret').fill(TEST_KEY.secret);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('text-input').fill('Subtitles and downloads. This is the second sentence.');
    await page.locator('[data-testid=subtitle-check][value=srt]').check();
    await page.locator('[data-testid=subtitle-check][value=vtt]').check();
    await page.locator('details.more > summary').click();
    await page.locator('#field-object').fill('downloads/story');
    await page.getByTestId('submit').click();
    await page.locator('[data-testid=result-state][data-state=Finished]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('saves the audio under its object name with the format’s extension', async () => {
    const audio = await saved(page, 'download');
    expect(audio.name).toBe('story.mp3');
    expect(isMp3(audio.bytes)).toBe(true);
  });

  it('offers one link per ticked subtitle format, each saving that file', async () => {
    expect(await page.getByTestId('subtitle-download').evaluateAll((links) => links.map((link) => link.getAttribute('data-format')))).toEqual(['srt', 'vtt']);
    const srt = await saved(page, 'subtitle-download', 'srt');
    expect(srt.name).toBe('story.srt');
    // The first cue comes up with the first sound, a few ms in.
    expect(srt.bytes.toString('utf8')).toMatch(/^1\r?\n00:00:00,0\d\d --> /);
    const vtt = await saved(page, 'subtitle-download', 'vtt');
    expect(vtt.name).toBe('story.vtt');
    expect(vtt.bytes.toString('utf8')).toMatch(/^WEBVTT/);
  });

  it('fetches a fresh URL when the one on the page has expired', async () => {
    const before = await page.getByTestId('download').getAttribute('href');
    await new Promise((resolve) => setTimeout(resolve, (PRESIGN_SECONDS + 1) * 1000));
    // The URL on the page no longer works by itself...
    expect((await fetch(new URL(before!, server.url))).status).toBe(403);
    // ...yet a click saves the audio, and the subtitle file, from a fresh one.
    const audio = await saved(page, 'download');
    expect(audio.name).toBe('story.mp3');
    expect(isMp3(audio.bytes)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, (PRESIGN_SECONDS + 1) * 1000));
    const srt = await saved(page, 'subtitle-download', 'srt');
    expect(srt.bytes.toString('utf8')).toContain(' --> ');
  });
});
