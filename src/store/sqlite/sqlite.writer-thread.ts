/**
 * The writer thread's body (see sqlite.writer.ts): one connection, every write of the store,
 * grouped into one transaction per batch of messages that arrived together.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection, type SqliteConnectionOptions } from './sqlite.connection.js';
import { createGroupCommit } from './sqlite.group-commit.js';
import { serializeError } from './sqlite.writer.js';
import { createSqliteWrites, type SqliteWriteOp } from './sqlite.writes.js';

const { options } = workerData as { options: SqliteConnectionOptions };
const db = openSqliteConnection(options);
const writes = createSqliteWrites(db);
const groupCommit = createGroupCommit(db);
const port = parentPort!;

port.on('message', (message: { id: number; op: SqliteWriteOp; args: unknown } | { close: true }) => {
  if ('close' in message) {
    db.close();
    port.close();
    return;
  }
  const { id, op, args } = message;
  const write = Object.hasOwn(writes, op) ? (writes[op] as (a: unknown) => unknown) : undefined;
  if (!write) {
    port.postMessage({ id, ok: false, error: { name: 'Error', message: `unknown write ${String(op)}` } });
    return;
  }
  groupCommit(() => write(args)).then(
    (value) => port.postMessage({ id, ok: true, value }),
    (error: unknown) => port.postMessage({ id, ok: false, error: serializeError(error) }),
  );
});
