/**
 * The web console end to end: Debian's Chromium (driven by playwright-core, no browser download)
 * against a real Narrate (api + worker, eSpeak NG) on 127.0.0.1. Screenshots go to
 * test-artifacts/console/; one also to docs/console.png for the README when that file is missing and
 * a Chinese font is installed (so the committed picture is not rewritten on every run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { buildConsole } from './chromium.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');
const CHROMIUM = '/usr/bin/chromium';
const CHINESE = '你好，世界。今天天气很好，我们一起去公园散步吧。春天来了，花都开了。谢谢大家的收听。';

/** Whether a Chinese font is installed, so a screenshot for the README shows characters, not boxes. */
function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function apiSubmit(server: TestServer, text: string): Promise<string> {
  const request = signedIceRequest({
    signature: 'v1',
    action: 'SubmitAudioProduceJob',
    accessKeyId: TEST_KEY.id,
    accessKeySecret: TEST_KEY.secret,
    params: { InputConfig: text, EditingConfig: '{"voice":"Xiaoyun","format":"MP3"}', OutputConfig: `{"bucket":"e2e","object":"api/${Math.random().toString(36).slice(2)}"}` },
  });
  const response = await fetch(server.url + request.url, { method: request.method, headers: { ...request.headers, host: new URL(server.url).host } });
  const body = (await response.json()) as { JobId?: string; Message?: string };
  if (!body.JobId) throw new Error(`submit failed: ${JSON.stringify(body)}`);
  return body.JobId;
}

describe('web console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let navigations = 0;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup-test-system.sh\` (installs Debian's chromium for these browser tests).`);
    }
    // Always test the current source: a stale console/dist would hide changes.
    await buildConsole();
    await mkdir(ARTIFACTS, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
        '--mute-audio',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    // Page loads, not 'framenavigated': that also fires when the console records the selected job in the URL's #hash.
    page.on('load', () => navigations++);
    // The page's Content-Security-Policy must not block anything the console itself does.
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong secret with the server’s message, then signs in by keyboard alone', async () => {
    await page.goto(`${server.url}/console`);
    await page.getByTestId('access-key-id').fill(TEST_KEY.id);
    await page.getByTestId('access-key-secret').fill('wrong-secret');
    await page.getByTestId('sign-in').click();
    // A plain sentence, not the gateway's message with its string-to-sign.
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toBe('AccessKey Secret 与该 AccessKey ID 不匹配。');

    await page.getByTestId('access-key-id').fill('');
    await page.getByTestId('access-key-secret').fill('');
    await page.getByTestId('access-key-id').focus();
    await page.keyboard.type(TEST_KEY.id);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_KEY.secret);
    await page.keyboard.press('Enter');
    await page.getByTestId('text-input').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain(TEST_KEY.id);
    // The secret lives in this tab's session only.
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(TEST_KEY.secret);
    await expect.poll(() => page.locator('[data-testid=voice-select] optgroup').count()).toBeGreaterThan(3);
    await shot(page, '01-signed-in');
  });

  it('counts characters by the reference rule as the text is typed', async () => {
    await page.getByTestId('text-input').fill('<speak>你好，<break time="500ms"/>世界</speak>');
    expect(await page.getByTestId('char-count').textContent()).toMatch(/^5 \//);
  });

  it('submits Chinese text and shows the job reach Finished without a reload', async () => {
    const before = navigations;
    await page.getByTestId('text-input').fill(CHINESE);
    await page.getByTestId('voice-select').selectOption('Xiaoyun');
    await page.getByTestId('submit').click();
    const row = page.getByTestId('job-row').first();
    await row.waitFor();
    await page.locator('[data-testid=job-row][data-state=Finished]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('job-row').count()).toBe(1);
    expect(navigations).toBe(before);
    await page.getByTestId('audio-player').waitFor();
    await shot(page, '02-finished');
  });

  it('plays the audio with exactly one sentence highlighted, the highlight following playback', async () => {
    const segments = page.getByTestId('segment');
    expect(await segments.count()).toBeGreaterThanOrEqual(4);
    await page.evaluate(() => {
      const audio = document.querySelector<HTMLAudioElement>('[data-testid=audio-player]')!;
      audio.currentTime = 0;
      return audio.play();
    });
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=audio-player]')!.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.05);
    const highlighted = page.locator('[data-testid=segment][aria-current=true]');
    expect(await highlighted.count()).toBe(1);
    const first = await highlighted.getAttribute('data-from');
    await expect.poll(() => highlighted.first().getAttribute('data-from'), { timeout: 30_000 }).not.toBe(first);
    expect(await highlighted.count()).toBe(1);
    await shot(page, '03-playing');
    const readmePicture = path.join(ROOT, 'docs', 'console.png');
    if (!existsSync(readmePicture) && hasCjkFont()) {
      // The README's picture (delete it to take a new one): English interface, Chinese speech.
      await page.getByTestId('locale-select').selectOption('en');
      await page.screenshot({ path: readmePicture });
      await page.getByTestId('locale-select').selectOption('zh');
    }
  });

  it('seeks to a sentence when it is clicked', async () => {
    const target = page.getByTestId('segment').nth(2);
    const from = Number(await target.getAttribute('data-from'));
    await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=audio-player]')!.pause());
    await target.click();
    const time = await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=audio-player]')!.currentTime);
    expect(time).toBeGreaterThanOrEqual(from - 0.05);
    expect(await target.getAttribute('aria-current')).toBe('true');
    expect(await page.locator('[data-testid=segment][aria-current=true]').count()).toBe(1);
    // Keyboard: the sentences are buttons.
    const last = page.getByTestId('segment').last();
    await last.focus();
    await page.keyboard.press('Enter');
    expect(await last.getAttribute('aria-current')).toBe('true');
    await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=audio-player]')!.pause());
  });

  it('offers a download link and the request as pop-core and curl', async () => {
    expect(await page.getByTestId('download').getAttribute('href')).toMatch(/\/buckets\/console\/.+\.mp3\?/);
    await page.locator('[data-testid=code-panel] summary').click();
    const popCore = (await page.getByTestId('pop-core-snippet').textContent()) ?? '';
    expect(popCore).toContain("require('@alicloud/pop-core')");
    expect(popCore).toContain("'SubmitAudioProduceJob'");
    expect(popCore).toContain(server.url);
    expect(popCore).not.toContain(TEST_KEY.secret);
    await expect.poll(() => page.getByTestId('curl-snippet').textContent()).toContain('Signature=');
    const curl = (await page.getByTestId('curl-snippet').textContent()) ?? '';
    expect(curl).toContain(CHINESE);

    // Both are ready to run: the curl command as shown, the program with the key in the environment.
    // Asynchronous: the server runs in this process and must keep answering meanwhile.
    const run = promisify(execFile);
    const fromCurl = JSON.parse((await run('bash', ['-c', curl], { encoding: 'utf8', timeout: 30_000 })).stdout) as { JobId?: string; Message?: string };
    expect(fromCurl.JobId, fromCurl.Message).toMatch(/^[0-9a-f]{32}$/);
    const program = path.join(ARTIFACTS, 'pop-core-snippet.cjs');
    await writeFile(program, popCore);
    const { stdout: output } = await run(process.execPath, [program], {
      encoding: 'utf8',
      env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret },
      timeout: 60_000,
    });
    expect(output).toContain('"State": "Finished"');
  });

  it('shows a server validation error next to the field it names', async () => {
    await page.getByTestId('volume-input').fill('150');
    await page.getByTestId('submit').click();
    const volumeError = page.locator('[data-field=volume] [data-testid=field-error]');
    await volumeError.waitFor();
    expect(await volumeError.textContent()).toContain('EditingConfig.volume');
    expect(await page.locator('[data-testid=field-error]').count()).toBe(1);
    await shot(page, '04-validation-volume');

    await page.getByTestId('volume-input').fill('50');
    await page.locator('details.more > summary').click();
    await page.getByTestId('notify-address-input').fill('ftp://example.com/not-a-callback');
    await page.getByTestId('submit').click();
    const notifyError = page.locator('[data-field=notifyAddress] [data-testid=field-error]');
    await notifyError.waitFor();
    expect(await notifyError.textContent()).toContain('UserData.NotifyAddress');
    expect(await page.getByTestId('notify-address-input').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('notify-address-input').fill('');
    // Neither refused submit made a job: only the console's and the two snippets' jobs exist.
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 15_000 }).toBe(3);
  });

  it('filters jobs by state and pages through them, updating live', async () => {
    for (let i = 0; i < 11; i++) await apiSubmit(server, `第${i + 1}句。`);
    await expect.poll(() => page.getByTestId('page-label').textContent(), { timeout: 20_000 }).toMatch(/1 \/ 2/);
    expect(await page.getByTestId('job-row').count()).toBe(10);
    await page.locator('[data-testid=state-filter][data-state=Finished]').click();
    await expect.poll(() => page.locator('[data-testid=job-row]:not([data-state=Finished])').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('page-label').textContent(), { timeout: 60_000 }).toMatch(/1 \/ 2/);
    await page.getByTestId('page-next').click();
    // The last of the 14 jobs may still be rendering: the page fills in live when it finishes.
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 60_000 }).toBe(4);
    await page.locator('[data-testid=state-filter][data-state=Failed]').click();
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(0);
    await page.locator('[data-testid=state-filter][data-state=All]').click();
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(10);
  });

  it('speaks English or Chinese, and fits a narrow screen', async () => {
    await page.getByTestId('locale-select').selectOption('en');
    expect(await page.getByTestId('submit').textContent()).toBe('Submit');
    await page.getByTestId('locale-select').selectOption('zh');
    expect(await page.getByTestId('submit').textContent()).toBe('提交');

    await page.setViewportSize({ width: 380, height: 800 });
    await page.getByTestId('job-row').first().click();
    await page.getByTestId('audio-player').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '05-narrow');
  });

  it('ran every step above without a Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});

describe('web console with --allow-anonymous', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup-test-system.sh\`.`);
    server = await startTestServer({ allowAnonymous: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('goes straight in, unsigned, and can still sign in with a key', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${server.url}/console/`);
    await page.getByTestId('text-input').waitFor();
    expect(await page.getByTestId('access-key-id').count()).toBe(0);
    expect(await page.getByTestId('who').textContent()).toBe('Anonymous access');
    await page.getByTestId('text-input').fill('匿名提交。');
    await page.getByTestId('submit').click();
    await page.locator('[data-testid=job-row][data-state=Finished]').waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Sign in with a key' }).click();
    await page.getByTestId('access-key-id').fill(TEST_KEY.id);
    await page.getByTestId('access-key-secret').fill(TEST_KEY.secret);
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('who').textContent()).toContain(TEST_KEY.id);
  });
});
