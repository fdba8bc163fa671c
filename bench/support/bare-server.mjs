/**
 * The baseline for bench/api: a Fastify server whose only route accepts the same request as
 * SubmitAudioProduceJob (any path, form body read as text) and answers a small JSON document
 * without doing anything. Run as its own process so it gets a core of its own, like Narrate, and
 * as plain JavaScript, as Narrate runs from its compiled dist/.
 *   node bench/support/bare-server.mjs   → prints "listening PORT"
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
const reply = { RequestId: '00000000-0000-0000-0000-000000000000', JobId: '0'.repeat(32), MediaId: '0'.repeat(32), State: 'Created' };
app.post('/', async () => reply);
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening ${new URL(address).port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
