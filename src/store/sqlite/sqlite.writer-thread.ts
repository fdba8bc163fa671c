/**
 * The writer thread's body (see sqlite.writer.ts): one connection, every write of the store,
 * grouped into one transaction per batch of messages that arrived together.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection, type SqliteConnectionOptions } from './sqlite.connection.js';
import { createGroupCommit } from './sqlite.group-commit.js';
import { serializeError, type WriterReply } from './sqlite.writer.js';
import { createSqliteWrites, type SqliteWriteOp } from './sqlite.writes.js';

const { options } = workerData as { options: SqliteConnectionOptions };
const db = openSqliteConnection(options);
const writes = createSqliteWrites(db);
const groupCommit = createGroupCommit(db);
const port = parentPort!;

// The writes of one batch settle together, right after its commit: their replies leave as one
// message (sent once the batch's promise callbacks have run), not one message each. That costs
// no latency, and saves a message's cost on both threads for every write but the first.
let replies: WriterReply[] = [];
function reply(message: WriterReply): void {
  if (replies.length === 0) queueMicrotask(sendReplies);
  replies.push(message);
}
function sendReplies(): void {
  const batch = replies;
  replies = [];
  port.postMessage(batch);
}

port.on('message', (message: { id: number; op: SqliteWriteOp; args: unknown } | { close: true }) => {
  if ('close' in message) {
    db.close();
    port.close();
    return;
  }
  const { id, op, args } = message;
  const write = Object.hasOwn(writes, op) ? (writes[op] as (a: unknown) => unknown) : undefined;
  if (!write) {
    reply([id, false, { name: 'Error', message: `unknown write ${String(op)}` }]);
    return;
  }
  groupCommit(() => write(args)).then(
    (value) => reply([id, true, value]),
    (error: unknown) => reply([id, false, serializeError(error)]),
  );
});
