import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackHttpClient, type HostLookup } from './callback-http.client.js';
import type { CallbackHttpClient } from './notify.types.js';
import { startReceiver, type Receiver } from './notify.test-utils.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
}

function client(options: Parameters<typeof createCallbackHttpClient>[0]): CallbackHttpClient {
  const c = createCallbackHttpClient(options);
  cleanups.push(() => c.close());
  return c;
}

const headers = { 'content-type': 'application/json', 'user-agent': 'Narrate', 'x-narrate-delivery-id': 'f'.repeat(32) };

/** An edge fake of DNS: every name resolves to the given addresses. */
const resolvesTo = (...addresses: string[]): HostLookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('createCallbackHttpClient', () => {
  it('POSTs the body and headers as given and reports a 2xx as delivered', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const outcome = await client({ allowPrivate: true }).post({ url: r.url('/cb?x=1'), body: '{"a":1}', headers });
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]).toMatchObject({ method: 'POST', url: '/cb?x=1', body: '{"a":1}' });
    expect(r.requests[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Narrate', 'x-narrate-delivery-id': 'f'.repeat(32) });
  });

  it('reports a non-2xx status as a failure with a snippet of the body', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end('database   is\n down');
    });
    expect(await client({ allowPrivate: true }).post({ url: r.url(), body: '{}', headers })).toEqual({ ok: false, status: 500, error: 'HTTP 500: database is down' });
  });

  it('does not follow redirects', async () => {
    const r = await receiver((req, res) => {
      if (req.url === '/start') {
        res.statusCode = 307;
        res.setHeader('location', '/elsewhere');
      }
      res.end();
    });
    const outcome = await client({ allowPrivate: true }).post({ url: r.url('/start'), body: '{}', headers });
    expect(outcome).toMatchObject({ ok: false, status: 307 });
    expect(outcome.ok ? '' : outcome.error).toMatch(/redirect \(not followed\) to \/elsewhere/);
    expect(r.requests.map((req) => req.url)).toEqual(['/start']);
  });

  it('fails when no answer comes within the timeout', async () => {
    const r = await receiver(() => {
      // never answers
    });
    const outcome = await client({ allowPrivate: true, timeoutMs: 300 }).post({ url: r.url(), body: '{}', headers });
    expect(outcome).toEqual({ ok: false, status: null, error: 'no answer within 300 ms' });
  });

  it('ends within the timeout when the DNS lookup never answers, and stays usable', async () => {
    const r = await receiver();
    const hangs: HostLookup = (hostname) => (hostname === 'stuck.example.test' ? new Promise(() => {}) : resolvesTo('127.0.0.1')(hostname));
    const c = client({ allowPrivate: true, timeoutMs: 300, lookup: hangs });
    // A generous bound, so the old behaviour (never settling) fails the test instead of hanging it.
    const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000).unref())]);
    const stuck = `http://stuck.example.test:${r.port}/`;
    expect(await bounded(c.post({ url: stuck, body: '{}', headers }))).toEqual({ ok: false, status: null, error: 'no answer within 300 ms' });
    // The same origin again (its connection attempt is the one that hung), then another origin.
    expect(await bounded(c.post({ url: stuck, body: '{}', headers }))).toMatchObject({ ok: false, status: null });
    expect(await bounded(c.post({ url: `http://fine.example.test:${r.port}/`, body: '{}', headers }))).toEqual({ ok: true, status: 200 });
    expect(r.requests).toHaveLength(1);
  });

  it('tries the next address of a DNS answer when the first does not connect', async () => {
    // The receiver listens on 127.0.0.1 only; ::1 on its port refuses, as a dead AAAA record would.
    const r = await receiver();
    const c = client({ allowPrivate: true, lookup: resolvesTo('::1', '127.0.0.1') });
    expect(await c.post({ url: `http://dual.example.test:${r.port}/`, body: '{}', headers })).toEqual({ ok: true, status: 200 });
    expect(r.requests).toHaveLength(1);
  });

  it('reads at most maxResponseBytes of a huge response body and drops the connection', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    let closedEarly: Promise<boolean> = Promise.resolve(false);
    const r = await receiver((_req, res) => {
      res.statusCode = 200;
      const chunk = Buffer.alloc(64 * 1024, 120);
      closedEarly = new Promise((resolve) => {
        res.on('close', () => resolve(written < total));
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
    });
    const outcome = await client({ allowPrivate: true, maxResponseBytes: 4096 }).post({ url: r.url(), body: '{}', headers });
    expect(outcome).toEqual({ ok: true, status: 200 });
    expect(await closedEarly).toBe(true);
    expect(written).toBeLessThan(total);
  });

  describe('SSRF guard (allowPrivate off)', () => {
    it('sends nothing to a loopback address', async () => {
      const r = await receiver();
      const outcome = await client({ allowPrivate: false }).post({ url: r.url(), body: '{}', headers });
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? '' : outcome.error).toMatch(/Refused to connect to 127\.0\.0\.1 \(127\.0\.0\.1\): loopback/);
      expect(r.requests).toHaveLength(0);
    });

    it('refuses a hostname that resolves to 127.0.0.1, checking the address it would connect to', async () => {
      const r = await receiver();
      const url = `http://hooks.example.test:${r.port}/cb`;
      const outcome = await client({ allowPrivate: false, lookup: resolvesTo('127.0.0.1') }).post({ url, body: '{}', headers });
      expect(outcome.ok ? '' : outcome.error).toMatch(/hooks\.example\.test \(127\.0\.0\.1\): loopback/);
      expect(r.requests).toHaveLength(0);
      // The same lookup with private addresses allowed does reach the receiver: the fake DNS is what was used.
      expect(await client({ allowPrivate: true, lookup: resolvesTo('127.0.0.1') }).post({ url, body: '{}', headers })).toEqual({ ok: true, status: 200 });
      expect(r.requests).toHaveLength(1);
    });

    it('refuses a DNS answer that mixes a public and a private address', async () => {
      const r = await receiver();
      const outcome = await client({ allowPrivate: false, lookup: resolvesTo('93.184.216.34', '127.0.0.1') }).post({ url: `http://mixed.example.test:${r.port}/`, body: '{}', headers });
      expect(outcome.ok ? '' : outcome.error).toMatch(/loopback/);
      expect(r.requests).toHaveLength(0);
    });

    it('refuses IPv4-mapped IPv6 forms of loopback, as a literal and as a DNS answer', async () => {
      const r = await receiver();
      const literal = await client({ allowPrivate: false }).post({ url: `http://[::ffff:127.0.0.1]:${r.port}/`, body: '{}', headers });
      expect(literal.ok ? '' : literal.error).toMatch(/loopback \(IPv4 127\.0\.0\.1 inside IPv6\)/);
      const answered = await client({ allowPrivate: false, lookup: resolvesTo('::ffff:7f00:1') }).post({ url: `http://mapped.example.test:${r.port}/`, body: '{}', headers });
      expect(answered.ok ? '' : answered.error).toMatch(/inside IPv6/);
      const v6loop = await client({ allowPrivate: false }).post({ url: `http://[::1]:${r.port}/`, body: '{}', headers });
      expect(v6loop.ok ? '' : v6loop.error).toMatch(/::1\): loopback/);
      expect(r.requests).toHaveLength(0);
    });

    it('lets allowlisted ranges and hostnames through', async () => {
      const r = await receiver();
      expect(await client({ allowPrivate: false, allowlist: ['127.0.0.0/8'] }).post({ url: r.url(), body: '{}', headers })).toEqual({ ok: true, status: 200 });
      const byName = client({ allowPrivate: false, allowlist: ['hooks.internal'], lookup: resolvesTo('127.0.0.1') });
      expect(await byName.post({ url: `http://hooks.internal:${r.port}/`, body: '{}', headers })).toEqual({ ok: true, status: 200 });
      expect((await byName.post({ url: `http://other.internal:${r.port}/`, body: '{}', headers })).ok).toBe(false);
      expect(r.requests).toHaveLength(2);
    });

    it('lets an allowlisted IDN host name through, written as the operator writes it', async () => {
      const r = await receiver();
      const c = client({ allowPrivate: false, allowlist: ['bücher.example.test'], lookup: resolvesTo('127.0.0.1') });
      expect(await c.post({ url: `http://bücher.example.test:${r.port}/`, body: '{}', headers })).toEqual({ ok: true, status: 200 });
      expect(r.requests).toHaveLength(1);
    });
  });
});
