import pg from 'pg';
import { WORK_CHANNEL } from './postgres.schema.js';
import { timeoutError } from './postgres.errors.js';
import { withDeadline } from '../../shared/timers.js';

export interface WorkListener {
  /** Connects and LISTENs; rejects when the first connection fails (or does not answer in connectTimeoutMs). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Closes a client's socket at once. `end()` alone sends Terminate and then waits for the server to
 * close its side, which a hung server never does; a hung connection must be destroyed, not reused.
 */
export function destroyClient(client: pg.Client | pg.PoolClient, error?: Error): void {
  client.connection?.stream?.destroy(error);
}

/** end() with a deadline, then destroy: never hangs on a server that stopped answering. */
export async function endClient(client: pg.Client, graceMs: number): Promise<void> {
  // Ended or not by then, the socket goes: a hung end() is exactly the case this is for.
  await withDeadline(client.end(), graceMs, () => new Error('end() took too long')).catch(() => undefined);
  destroyClient(client);
}

/**
 * A dedicated connection (outside the pool, so it never starves queries) that LISTENs on
 * narrate_work and calls onWork for notifications naming our schema. When the connection drops
 * it reconnects with backoff; meanwhile waitForWork still ends at its timeout, so workers poll.
 * After a reconnect onWork fires once, because notifications sent while we were away are lost.
 *
 * A connection can also hang without dropping (a partition, a frozen server): connecting and
 * LISTENing must finish within connectTimeoutMs or the attempt is destroyed and retried, and an
 * established connection is checked with `SELECT 1` every heartbeatMs (answer within
 * connectTimeoutMs), destroyed and replaced when it does not answer.
 */
export function createWorkListener(args: {
  connectionString: string;
  schema: string;
  onWork: () => void;
  onError?: (error: Error) => void;
  /** First and longest wait between reconnection attempts (ms). */
  retryMs?: { min: number; max: number };
  /** Connect + LISTEN, and each heartbeat, must answer within this (ms). Default 5000; 0: no limit on connecting. */
  connectTimeoutMs?: number;
  /** How often the idle connection is checked (ms). Default 30000; 0 disables. */
  heartbeatMs?: number;
  /** TCP keep-alive: first probe after this much silence (ms). Default 10000. */
  keepAliveDelayMs?: number;
}): WorkListener {
  const { min, max } = args.retryMs ?? { min: 250, max: 15_000 };
  const connectTimeoutMs = args.connectTimeoutMs ?? 5_000;
  const heartbeatMs = args.heartbeatMs ?? 30_000;
  const report = (error: unknown) => args.onError?.(error instanceof Error ? error : new Error(String(error)));
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  /** The attempt in progress, so close() can destroy it instead of waiting for its deadline. */
  let connecting: pg.Client | null = null;
  let delay = min;

  async function connect(): Promise<void> {
    // The application name lets an operator (and our reconnect test) find this connection in pg_stat_activity.
    const next = new pg.Client({
      connectionString: args.connectionString,
      application_name: `narrate-listen:${args.schema}`,
      keepAlive: true,
      keepAliveInitialDelayMillis: args.keepAliveDelayMs ?? 10_000,
    });
    // Until the connection is ours, its failures reject connect() (the caller decides whether to
    // retry) and must neither crash the process nor schedule a reconnect of their own.
    const whileConnecting = () => undefined;
    next.on('error', whileConnecting);
    next.on('notification', (message) => {
      if (message.channel === WORK_CHANNEL && message.payload === args.schema) args.onWork();
    });
    // One deadline for TCP, start-up, authentication and LISTEN: a server that accepts the
    // connection and then says nothing must not hold the attempt (and the reconnect loop) forever.
    const deadline =
      connectTimeoutMs > 0 ? setTimeout(() => destroyClient(next, timeoutError('LISTEN connection', connectTimeoutMs)), connectTimeoutMs) : undefined;
    connecting = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (error) {
      destroyClient(next);
      throw error;
    } finally {
      clearTimeout(deadline);
      if (connecting === next) connecting = null;
    }
    if (closed) {
      void endClient(next, 1_000);
      return;
    }

    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (error) report(error);
      if (client === next) {
        client = null;
        stopHeartbeat();
      }
      destroyClient(next);
      scheduleReconnect();
    };
    next.removeListener('error', whileConnecting);
    next.on('error', (error) => drop(error));
    next.on('end', () => drop());
    client = next;
    delay = min;
    startHeartbeat(next);
  }

  function startHeartbeat(current: pg.Client): void {
    stopHeartbeat();
    if (!(heartbeatMs > 0)) return;
    heartbeatTimer = setInterval(() => {
      if (client !== current) return;
      const answerMs = connectTimeoutMs > 0 ? connectTimeoutMs : 5_000;
      withDeadline(current.query('SELECT 1'), answerMs, () => timeoutError('LISTEN connection heartbeat', answerMs)).then(
        () => undefined,
        (error: unknown) => {
          // Destroying the socket ends the client, whose 'error'/'end' handler reconnects.
          if (client === current) destroyClient(current, error instanceof Error ? error : new Error(String(error)));
        },
      );
    }, heartbeatMs);
    heartbeatTimer.unref();
  }

  function stopHeartbeat(): void {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = null;
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      connect().then(
        () => {
          retryTimer = null;
          if (!closed) args.onWork();
        },
        (error: unknown) => {
          retryTimer = null;
          if (closed) return;
          report(error);
          delay = Math.min(max, delay * 2);
          scheduleReconnect();
        },
      );
    }, delay);
    // A reconnect loop alone must not keep the process alive.
    retryTimer.unref();
  }

  return {
    start: connect,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      stopHeartbeat();
      if (connecting) destroyClient(connecting);
      connecting = null;
      const current = client;
      client = null;
      if (current) {
        current.removeAllListeners('end');
        current.removeAllListeners('error');
        current.on('error', () => undefined);
        await endClient(current, 1_000);
      }
    },
  };
}
