/**
 * Helpers for the end-to-end tests of issue 7: scraping /metrics with a Prometheus text parser from
 * npm, reading a streamed body chunk by chunk, and parsing server-sent events.
 */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

/** GET /metrics and parse it; throws when the text is not Prometheus exposition format. */
export async function scrapeMetrics(baseUrl: string): Promise<PromFamily[]> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  return parsePrometheusTextFormat(text);
}

function labelsMatch(actual: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => actual?.[key] === value);
}

/** Value of a counter or gauge sample (0 when the labelled series does not exist yet). */
export function sampleValue(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`metric ${name} is missing`);
  const sample = family.metrics.find((m) => labelsMatch(m.labels, labels));
  return sample ? Number(sample.value) : 0;
}

/** Observation count of a histogram series (0 when it does not exist yet). */
export function histogramCount(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`metric ${name} is missing`);
  if (family.type !== 'HISTOGRAM') throw new Error(`metric ${name} is a ${family.type}, not a histogram`);
  return family.metrics.filter((m) => labelsMatch(m.labels, labels)).reduce((sum, m) => sum + Number(m.count ?? 0), 0);
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
