/**
 * A floor for bench/api: the least a server can do and still meet the submit contract, with none
 * of Narrate's code. It reads the form body, checks the ACS3-HMAC-SHA256 signature against one
 * key, refuses a reused nonce, inserts the job and its nonce into SQLite in one transaction
 * (WAL, synchronous=FULL, group commit) and answers with the job id only after the commit. It
 * does not validate parameters, parse SSML, rate-limit, log or echo anything, so a real submit
 * cannot be faster on the same machine.
 *
 * WRITES is where the commits run: `thread` (a writer thread, as Narrate does, so an fsync never
 * stalls the event loop) or `inline` (on the event loop: no messages between threads, but each
 * commit's fsync stalls every request).
 *   node bench/support/floor-server.mjs DATA_DIR KEY_ID:SECRET thread|inline  → prints "listening PORT"
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** Opens the database and returns a function that commits a batch of [tag, row] in one transaction. */
function openCommitter(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, input TEXT, editing TEXT, output TEXT, created_at INTEGER)`);
  const useNonce = db.prepare('INSERT OR IGNORE INTO nonces (nonce) VALUES (?)');
  const addJob = db.prepare('INSERT INTO jobs (id, input, editing, output, created_at) VALUES (@id, @input, @editing, @output, @at)');
  const commit = db.transaction((batch) => batch.map(([tag, row]) => [tag, useNonce.run(row.nonce).changes === 1 && addJob.run({ ...row, at: Date.now() }).changes === 1]));
  return (batch) => commit.immediate(batch);
}

/** Group commit: what arrives in one turn of the event loop is committed together, then `settle` gets the outcomes. */
function groupCommit(commit, settle) {
  let batch = [];
  return (item) => {
    if (batch.length === 0) {
      setImmediate(() => {
        const outcomes = commit(batch);
        batch = [];
        settle(outcomes);
      });
    }
    batch.push(item);
  };
}

if (!isMainThread) {
  const write = groupCommit(openCommitter(workerData.file), (outcomes) => parentPort.postMessage(outcomes));
  parentPort.on('message', write);
} else {
  const [dataDir, keyPair, writes = 'thread'] = process.argv.slice(2);
  const [keyId, secret] = keyPair.split(':');
  const file = path.join(dataDir, `floor-${writes}.db`);
  const { default: Fastify } = await import('fastify');

  let insert;
  let stop = async () => {};
  if (writes === 'inline') {
    const write = groupCommit(openCommitter(file), (outcomes) => outcomes.forEach(([resolve, ok]) => resolve(ok)));
    insert = (row) => new Promise((resolve) => write([resolve, row]));
  } else {
    const writer = new Worker(new URL(import.meta.url), { workerData: { file } });
    const waiting = new Map();
    let nextId = 0;
    writer.on('message', (outcomes) => {
      for (const [id, ok] of outcomes) {
        waiting.get(id)(ok);
        waiting.delete(id);
      }
    });
    insert = (row) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        writer.postMessage([id, row]);
      });
    stop = () => writer.terminate();
  }

  const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/', async (request, reply) => {
    const { body, headers } = request;
    const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(headers.authorization ?? '');
    if (!match || match[1] !== keyId) return reply.code(403).send({ Code: 'InvalidAccessKeyId.NotFound' });
    const signedHeaders = match[2].split(';');
    const query = [...new URL(request.url, 'http://x').searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
    const hashedBody = createHash('sha256').update(body).digest('hex');
    if (headers['x-acs-content-sha256'] !== hashedBody) return reply.code(400).send({ Code: 'InvalidParameter' });
    const canonical = ['POST', '/', query, signedHeaders.map((h) => `${h}:${String(headers[h] ?? '').trim()}\n`).join(''), signedHeaders.join(';'), hashedBody].join('\n');
    const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
    const expected = Buffer.from(createHmac('sha256', secret).update(stringToSign).digest('hex'));
    const given = Buffer.from(match[3]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return reply.code(400).send({ Code: 'SignatureDoesNotMatch' });
    const params = new URLSearchParams(body);
    const jobId = randomUUID().replaceAll('-', '');
    const row = { id: jobId, nonce: String(headers['x-acs-signature-nonce']), input: params.get('InputConfig') ?? '', editing: params.get('EditingConfig') ?? '', output: params.get('OutputConfig') ?? '' };
    if (!(await insert(row))) return reply.code(400).send({ Code: 'SignatureNonceUsed' });
    return { RequestId: randomUUID(), JobId: jobId, State: 'Created' };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`listening ${new URL(address).port}`);
  process.on('SIGTERM', () => void app.close().then(stop).then(() => process.exit(0)));
}
