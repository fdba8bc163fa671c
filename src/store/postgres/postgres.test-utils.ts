import pg from 'pg';
import { createHash } from 'node:crypto';
import net from 'node:net';

/**
 * Test fakes at the network edge. A TCP proxy in front of a real PostgreSQL that can be told to
 * stop answering, like a partition or a frozen server: the TCP connection stays up, nothing comes
 * back. With no target it is a blackhole that accepts connections and never answers.
 */
export interface TcpProxy {
  readonly port: number;
  /** What happens to NEW connections: forwarded, accepted and ignored, or reset at once. */
  mode: 'pass' | 'hang' | 'refuse';
  /** Connections accepted so far in each mode. */
  readonly accepted: { pass: number; hang: number; refuse: number };
  /** From now on, every EXISTING connection silently drops all data both ways (for good). */
  freeze(): void;
  /** `url` with host and port pointing at the proxy. */
  urlFor(url: string): string;
  close(): Promise<void>;
}

export async function startTcpProxy(target?: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<{ frozen: boolean }>();
  const accepted = { pass: 0, hang: 0, refuse: 0 };
  let mode: TcpProxy['mode'] = target ? 'pass' : 'hang';

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const server = net.createServer((downstream) => {
    track(downstream);
    const current = target ? mode : 'hang';
    accepted[current] += 1;
    if (current === 'refuse') {
      downstream.resetAndDestroy();
      return;
    }
    if (current === 'hang') {
      downstream.on('data', () => undefined); // read and drop: the peer's writes "succeed"
      return;
    }
    const upstream = net.connect(target!.port, target!.host);
    track(upstream);
    const pair = { frozen: false };
    pairs.add(pair);
    downstream.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) downstream.write(chunk);
    });
    const closeBoth = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('close', closeBoth);
    upstream.on('close', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get mode() {
      return mode;
    },
    set mode(value) {
      mode = value;
    },
    accepted,
    freeze() {
      for (const pair of pairs) pair.frozen = true;
    },
    urlFor(url: string) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One schema per test, named from file + test name (pg-boss style), so parallel files never collide. */
export function schemaFor(file: string, testName: string): string {
  return `narrate_t_${createHash('sha1').update(`${file}\n${testName}`).digest('hex').slice(0, 20)}`;
}

export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
