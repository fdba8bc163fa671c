import { describe, expect, it } from 'vitest';
import { Registry, Histogram, Counter } from 'prom-client';
import { parsePrometheusText } from './prometheus-text.js';

describe('parsePrometheusText (the test parser itself)', () => {
  it('reads labelled counters and histograms that prom-client writes', async () => {
    const registry = new Registry();
    new Counter({ name: 'c_total', help: 'h', labelNames: ['a'], registers: [registry] }).inc({ a: 'x"y' }, 2);
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route'], buckets: [0.1, 1], registers: [registry] });
    histogram.observe({ route: '/' }, 0.5);
    histogram.observe({ route: '/' }, 5);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('c_total')?.samples).toEqual([{ name: 'c_total', labels: { a: 'x"y' }, value: 2 }]);
    const counts = families.get('h_seconds')!.samples.filter((s) => s.name === 'h_seconds_count');
    expect(counts).toEqual([{ name: 'h_seconds_count', labels: { route: '/' }, value: 2 }]);
  });

  it('rejects text that is not the exposition format', () => {
    expect(() => parsePrometheusText('<html>nope</html>')).toThrow(/not a sample line/);
    expect(() => parsePrometheusText('x 1\n')).toThrow(/before its TYPE/);
    expect(() => parsePrometheusText('# TYPE x counter\nx{a=b} 1\n')).toThrow(/bad labels/);
    expect(() => parsePrometheusText('# TYPE x counter\nx one\n')).toThrow(/bad value/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 3\n')).toThrow(/\+Inf/);
  });
});
