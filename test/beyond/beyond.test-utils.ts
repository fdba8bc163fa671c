/**
 * Helpers for the end-to-end tests of issue 7: scraping /metrics with a strict Prometheus text parser,
 * reading a streamed body chunk by chunk, and parsing server-sent events.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { parsePrometheusText, type Family } from './prometheus-text.js';

export type Families = Map<string, Family>;

/** GET /metrics and parse it strictly; throws when the text is not Prometheus exposition format. */
export async function scrapeMetrics(baseUrl: string): Promise<Families> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/plain')) throw new Error('/metrics is not text/plain');
  return parsePrometheusText(await response.text());
}

function labelsMatch(actual: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => actual[key] === value);
}

function family(families: Families, name: string, type?: Family['type']): Family {
  const found = families.get(name);
  if (!found) throw new Error(`metric ${name} is missing`);
  if (type && found.type !== type) throw new Error(`metric ${name} is a ${found.type}, not a ${type}`);
  return found;
}

/** Sum of the counter or gauge samples whose labels include `labels` (0 when none exists yet). */
export function sampleValue(families: Families, name: string, labels: Record<string, string> = {}): number {
  return family(families, name)
    .samples.filter((s) => s.name === name && labelsMatch(s.labels, labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Observation count of the histogram series whose labels include `labels` (0 when none exists yet). */
export function histogramCount(families: Families, name: string, labels: Record<string, string> = {}): number {
  return family(families, name, 'histogram')
    .samples.filter((s) => s.name === `${name}_count` && labelsMatch(s.labels, labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Reads a web stream to its end. */
export async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** Splits server-sent-events text into events ({ event, data }); comments are dropped. */
export function parseSse(text: string): Array<{ event: string; data: string }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    })
    .filter((e) => e.data !== '');
}

/**
 * For a test file of the OpenAI endpoint: a real server started before its tests (stopped after)
 * and the official SDK pointed at it, no retries, handed to `use`.
 */
export function withOpenAiServer(use: (server: TestServer, client: OpenAI) => void): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    use(server, new OpenAI({ apiKey: TEST_KEY.secret, baseURL: `${server.url}/v1`, maxRetries: 0 }));
  });
  afterAll(async () => {
    await server?.stop();
  });
}
