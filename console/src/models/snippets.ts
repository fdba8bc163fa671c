/**
 * The same request as a ready-to-run @alicloud/pop-core program and as a curl command. The
 * snippet never contains the secret: it reads it from the environment, as Alibaba's samples do.
 */

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to run the program. pop-core signs every request and refuses to start without a key id and
 * secret, so on a server that accepts unsigned requests it still needs a key (or the curl command).
 */
function runHint(keyId: string | null): string {
  if (keyId) return `// ALIBABA_CLOUD_ACCESS_KEY_SECRET=<the secret of ${keyId}> node narrate-job.js`;
  return `// pop-core signs every request, so it needs an access key of this server (narrate keys create);
// the curl command below needs none.
// ALIBABA_CLOUD_ACCESS_KEY_ID=<key id> ALIBABA_CLOUD_ACCESS_KEY_SECRET=<secret> node narrate-job.js`;
}

export function popCoreSnippet({ endpoint, keyId, params }: { endpoint: string; keyId: string | null; params: Record<string, string> }): string {
  const body = JSON.stringify(params, null, 2).replace(/\n/g, '\n  ');
  return `// npm install @alicloud/pop-core
${runHint(keyId)}
const RPCClient = require('@alicloud/pop-core');

const client = new RPCClient({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID${keyId ? ` ?? ${JSON.stringify(keyId)}` : ''},
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  endpoint: ${JSON.stringify(endpoint)},
  apiVersion: '2020-11-09',
});

(async () => {
  const submitted = await client.request('SubmitAudioProduceJob', ${body}, { method: 'POST' });
  console.log(submitted.JobId);
  for (;;) {
    const job = await client.request('GetSmartHandleJob', { JobId: submitted.JobId });
    if (job.State === 'Finished' || job.State === 'Failed') return console.log(JSON.stringify(job, null, 2));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
})();
`;
}

/**
 * curl with every parameter (and, when signed, a signature made now: valid for 15 minutes and
 * once, as the server refuses replayed nonces) in a form body.
 */
export function curlCommand({ endpoint, signedParams }: { endpoint: string; signedParams: Record<string, string> }): string {
  const lines = [`curl -sS -X POST ${shellQuote(`${endpoint}/`)}`];
  for (const [name, value] of Object.entries(signedParams)) lines.push(`  --data-urlencode ${shellQuote(`${name}=${value}`)}`);
  return lines.join(' \\\n');
}
