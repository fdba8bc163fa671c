import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { freePort, startNarrateProcess } from '../../test/support/narrate-process.js';
import { runClosedLoop } from '../support/load.js';
import { CHINESE_TEXT } from '../support/texts.js';
const KEY = { id: 'benchkey', secret: 'benchsecret' };
const dataDir = await mkdtemp(path.join(process.env.BASE ?? '/dev/shm', 'nb-'));
const port = await freePort();
const narrate = await startNarrateProcess({ from: 'dist', command: 'api', env: { NODE_OPTIONS: process.env.CHILD_NODE_OPTIONS ?? '' },
  args: ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--port', String(port), '--access-keys', `${KEY.id}:${KEY.secret}`, '--rate-limit', '0'] });
console.log('PID', narrate.child.pid);
let index = 0;
const next = () => { const s = signedIceRequest({ signature: 'v3', action: 'SubmitAudioProduceJob', placement: 'body', host: `127.0.0.1:${port}`, accessKeyId: KEY.id, accessKeySecret: KEY.secret,
  params: { EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'MP3' }), InputConfig: CHINESE_TEXT.slice(0, 200), OutputConfig: JSON.stringify({ bucket: 'bench', object: `submits/${index++}` }) } });
  return { method: s.method, path: s.url, headers: s.headers, body: s.body }; };
await runClosedLoop({ origin: `http://127.0.0.1:${port}`, inFlight: 16, maxSeconds: 2, maxRequests: 1e6, next });
const r = await runClosedLoop({ origin: `http://127.0.0.1:${port}`, inFlight: 16, maxSeconds: Number(process.env.SECS ?? 10), maxRequests: 1e6, next });
console.log('per second', (r.completed / r.seconds).toFixed(0), 'failed', r.failed);
await narrate.kill('SIGTERM');
