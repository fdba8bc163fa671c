/** The console's ICE client against real servers on loopback (it runs in Node as in the browser: fetch, AbortSignal). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIceClient } from '../../console/src/api/ice-client.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the console ICE client', () => {
  it('gives up on a server that takes the request and never answers, as a network error', async () => {
    const baseUrl = await listen(() => {
      // Accepts and says nothing.
    });
    const client = createIceClient({ baseUrl, key: null, timeoutMs: 300 });
    const error = await client.call('SubmitAudioProduceJob', { InputConfig: 'hi' }, { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NetworkError', message: 'no answer within 0.3 s' });
  });

  it('gives up on an answer whose body never ends', async () => {
    const baseUrl = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"RequestId":');
    });
    const client = createIceClient({ baseUrl, key: null, timeoutMs: 300 });
    await expect(client.call('GetSmartHandleJob', { JobId: 'x' })).rejects.toMatchObject({ code: 'NetworkError' });
  });

  it('reads an ICE error as an IceError with its code', async () => {
    const baseUrl = await listen((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ RequestId: 'R', Code: 'JobNotFound', Message: 'The specified job not found.' }));
    });
    const client = createIceClient({ baseUrl, key: null });
    await expect(client.call('GetSmartHandleJob', { JobId: 'x' })).rejects.toMatchObject({ status: 404, code: 'JobNotFound', requestId: 'R' });
  });
});
