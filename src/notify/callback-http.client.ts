import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { withDeadline } from '../shared/timers.js';
import { createAllowlist, forbiddenAddressReason } from './ip-address.models.js';
import type { CallbackHttpClient, CallbackHttpOutcome } from './notify.types.js';

/** Resolves a hostname to its addresses; the DNS edge, injectable so tests can fake it. */
export type HostLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface CallbackHttpClientOptions {
  /** Lets callbacks reach loopback, private, link-local ... addresses (tests, all-private deployments). */
  allowPrivate: boolean;
  /** Hostnames and CIDR ranges let through even when private. */
  allowlist?: readonly string[];
  /** Whole-attempt limit: DNS lookup, connect, send, status line. ICE: 3 s. */
  timeoutMs?: number;
  /** At most this much of a response body is read (for the error text), the rest never is. */
  maxResponseBytes?: number;
  lookup?: HostLookup;
}

/** Thrown from the connector; its message becomes the delivery's lastError. */
export class ForbiddenCallbackAddressError extends Error {
  readonly code = 'NARRATE_FORBIDDEN_ADDRESS';
}

/**
 * The outbound HTTP client for callbacks. The SSRF check runs inside undici's connector, on the
 * address the socket is then opened to, so a hostname cannot pass the check with one DNS answer
 * and connect with another (DNS rebinding). Redirects are never followed: a 3xx is a failure.
 */
export function createCallbackHttpClient(options: CallbackHttpClientOptions): CallbackHttpClient {
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxResponseBytes = options.maxResponseBytes ?? 4096;
  const lookup = options.lookup ?? systemLookup;
  const allowlist = createAllowlist(options.allowlist ?? []);
  const connectTo = buildConnector({ timeout: timeoutMs });

  /** The addresses a callback to `hostname` may connect to, in DNS order; throws when any is refused. */
  async function allowedAddresses(hostname: string): Promise<string[]> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    // Bounded like the rest of the attempt: a name server that never answers would otherwise leave
    // undici's connection stuck in "connecting" for good, and every request to that origin behind it.
    const answer = isIP(bare) !== 0 ? [{ address: bare }] : await withDeadline(lookup(bare), timeoutMs, () => new Error(`DNS lookup of ${bare} gave no answer within ${timeoutMs} ms.`));
    const addresses = answer.map((entry) => entry.address);
    if (addresses.length === 0) throw new Error(`${hostname} did not resolve to any address.`);
    if (options.allowPrivate || allowlist.allowsHost(bare)) return addresses;
    // Every answer is checked, not only the one used: a mixed answer is a rebinding attempt.
    for (const address of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason !== null && !allowlist.allowsAddress(address)) {
        throw new ForbiddenCallbackAddressError(`Refused to connect to ${hostname} (${address}): ${reason} address. Allow it with the callback allowlist or allowPrivate.`);
      }
    }
    return addresses;
  }

  const agent = new Agent({
    connect: (connectOptions, callback) => {
      allowedAddresses(connectOptions.hostname).then(
        (addresses) => {
          // Each address in turn until one connects, as Node's own client does: otherwise a dead
          // first address (an AAAA record on a host without an IPv6 route, one server of several
          // down) fails every attempt while the others would answer. All of them passed the check.
          const from = (index: number): void => {
            // `host` keeps the original name, so TLS SNI and certificate checks still use it.
            connectTo({ ...connectOptions, hostname: addresses[index]! }, (error, socket) => {
              if (error === null) return callback(null, socket);
              if (index + 1 < addresses.length) return from(index + 1);
              callback(error, null);
            });
          };
          from(0);
        },
        (error: Error) => callback(error, null),
      );
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // A few connections per origin are plenty for callbacks and keep a slow receiver from piling up sockets.
    connections: 4,
  });

  async function readSome(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxResponseBytes) {
        // Stop reading: the rest of a huge or endless body never crosses into memory.
        body.destroy();
        break;
      }
    }
    return Buffer.concat(chunks).subarray(0, maxResponseBytes).toString('utf8');
  }

  return {
    async post({ url, body, headers }): Promise<CallbackHttpOutcome> {
      const signal = AbortSignal.timeout(timeoutMs);
      const timedOut: CallbackHttpOutcome = { ok: false, status: null, error: `no answer within ${timeoutMs} ms` };
      // Set once the status line is in: from then on the status decides, and the signal only cuts the body short.
      let answered = false;
      const exchange = (async (): Promise<CallbackHttpOutcome> => {
        try {
          const response = await request(url, { method: 'POST', body, headers, dispatcher: agent, signal });
          answered = true;
          const status = response.statusCode;
          let text = '';
          try {
            text = await readSome(response.body);
          } catch {
            // The status decides the outcome; a body that breaks off does not matter.
          }
          if (status >= 200 && status < 300) return { ok: true, status };
          if (status >= 300 && status < 400) return { ok: false, status, error: `HTTP ${status} redirect (not followed) to ${response.headers.location ?? '?'}` };
          const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
          return { ok: false, status, error: `HTTP ${status}${snippet ? `: ${snippet}` : ''}` };
        } catch (error) {
          const cause = error as Error & { code?: string };
          if (signal.aborted) return timedOut;
          return { ok: false, status: null, error: cause.message || cause.code || String(error) };
        }
      })();
      // undici applies an abort only to a request already on a socket: one still waiting for its
      // connection (a DNS lookup or TCP connect that hangs) would outlive the timeout, and hold up
      // the dispatcher's whole round with it. So the deadline ends the attempt by itself; a request
      // that reaches a socket later is aborted by undici before it is written.
      let onAbort = (): void => {};
      const deadline = new Promise<CallbackHttpOutcome>((resolve) => {
        onAbort = () => {
          if (!answered) resolve(timedOut);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([exchange, deadline]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close(): Promise<void> {
      await agent.destroy();
    },
  };
}
