// Submit a job with Alibaba's own client, wait for it, print where the audio is.
// npm install @alicloud/pop-core   (then: node quickstart.mjs)
import RPCClient from '@alicloud/pop-core';

const client = new RPCClient({
  accessKeyId: process.env.NARRATE_KEY_ID,
  accessKeySecret: process.env.NARRATE_KEY_SECRET,
  endpoint: process.env.NARRATE_ENDPOINT ?? 'http://127.0.0.1:8080', // instead of https://ice.cn-shanghai.aliyuncs.com
  apiVersion: '2020-11-09',
});

const { JobId } = await client.request('SubmitAudioProduceJob', {
  EditingConfig: JSON.stringify({ voice: 'Siqi', format: 'MP3', volume: 50, speech_rate: 0 }),
  InputConfig: '说起郭德纲，他现在可以说是红得发紫了。Hello from Narrate!',
  OutputConfig: JSON.stringify({ bucket: 'demo', object: 'hello/world' }),
}, { method: 'POST' });

let job;
do {
  await new Promise((resolve) => setTimeout(resolve, 200));
  job = await client.request('GetSmartHandleJob', { JobId }, { method: 'POST' });
} while (job.State === 'Created' || job.State === 'Executing');

console.log(job.State, job.JobResult?.MediaUrl);
console.log(JSON.parse(job.JobResult?.AiResult ?? '[]'));
