import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { runClosedLoop } from '../support/load.js';
let i = 0;
const r = await runClosedLoop({ origin: 'http://127.0.0.1:18090', inFlight: 16, maxSeconds: 6, maxRequests: 50000, next: () => {
  const s = signedIceRequest({ signature: 'v3', action: 'SubmitAudioProduceJob', placement: 'body', host: '127.0.0.1:18090', accessKeyId: 'benchkey', accessKeySecret: 'benchsecret',
    params: { EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'MP3' }), InputConfig: '今天上午九点，市气象台发布了最新的天气预报。'.repeat(9).slice(0,200), OutputConfig: JSON.stringify({ bucket: 'bench', object: `s/${i++}` }) } });
  return { method: s.method, path: s.url, headers: s.headers, body: s.body };
}});
console.log(r.perSecond.toFixed(0), r.failed, r.firstFailure);
