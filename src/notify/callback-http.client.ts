import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
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
  /** Whole-attempt limit: connect, send, status line. ICE: 3 s. */
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

  async function pickAddress(hostname: string): Promise<string> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(bare) !== 0 ? [bare] : (await lookup(bare)).map((entry) => entry.address);
    if (addresses.length === 0) throw new Error(`${hostname} did not resolve to any address.`);
    if (options.allowPrivate || allowlist.allowsHost(bare)) return addresses[0]!;
    // Every answer is checked, not only the one used: a mixed answer is a rebinding attempt.
    for (const address of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason !== null && !allowlist.allowsAddress(address)) {
        throw new ForbiddenCallbackAddressError(`Refused to connect to ${hostname} (${address}): ${reason} address. Allow it with the callback allowlist or allowPrivate.`);
      }
    }
    return addresses[0]!;
  }

  const agent = new Agent({
    connect: (connectOptions, callback) => {
      pickAddress(connectOptions.hostname).then(
        // `host` keeps the original name, so TLS SNI and certificate checks still use it.
        (address) => connectTo({ ...connectOptions, hostname: address }, callback),
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
      try {
        const response = await request(url, { method: 'POST', body, headers, dispatcher: agent, signal });
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
        if (signal.aborted) return { ok: false, status: null, error: `no answer within ${timeoutMs} ms` };
        return { ok: false, status: null, error: cause.message || cause.code || String(error) };
      }
    },
    async close(): Promise<void> {
      await agent.destroy();
    },
  };
}
