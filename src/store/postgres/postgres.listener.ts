import pg from 'pg';
import { WORK_CHANNEL } from './postgres.schema.js';

export interface WorkListener {
  /** Connects and LISTENs; rejects when the first connection fails. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A dedicated connection (outside the pool, so it never starves queries) that LISTENs on
 * narrate_work and calls onWork for notifications naming our schema. When the connection drops
 * it reconnects with backoff; meanwhile waitForWork still ends at its timeout, so workers poll.
 * After a reconnect onWork fires once, because notifications sent while we were away are lost.
 */
export function createWorkListener(args: {
  connectionString: string;
  schema: string;
  onWork: () => void;
  onError?: (error: Error) => void;
  /** First and longest wait between reconnection attempts (ms). */
  retryMs?: { min: number; max: number };
}): WorkListener {
  const { min, max } = args.retryMs ?? { min: 250, max: 15_000 };
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = min;

  async function connect(): Promise<void> {
    // The application name lets an operator (and our reconnect test) find this connection in pg_stat_activity.
    const next = new pg.Client({ connectionString: args.connectionString, application_name: `narrate-listen:${args.schema}` });
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (error) args.onError?.(error);
      if (client === next) client = null;
      next.end().catch(() => undefined);
      scheduleReconnect();
    };
    next.on('error', (error) => drop(error));
    next.on('end', () => drop());
    next.on('notification', (message) => {
      if (message.channel === WORK_CHANNEL && message.payload === args.schema) args.onWork();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (error) {
      dropped = true; // the caller decides whether to retry
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      dropped = true;
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    delay = min;
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().then(
        () => args.onWork(),
        (error: unknown) => {
          args.onError?.(error instanceof Error ? error : new Error(String(error)));
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
      const current = client;
      client = null;
      if (current) {
        current.removeAllListeners('end');
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
