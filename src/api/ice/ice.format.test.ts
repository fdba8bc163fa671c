import { describe, expect, it } from 'vitest';
import { errors } from '../../shared/errors.js';
import { formatIceError, formatIceSuccess, newIceRequestId, toXml } from './ice.format.js';

const RID = 'DC7CBB70-4661-50B2-97B6-055B0CB4F75F';

describe('formatIceSuccess', () => {
  it('JSON: RequestId first, the handler fields after, and no top-level Code', () => {
    const res = formatIceSuccess({ body: { JobId: 'j', Code: 'oops', RequestId: 'spoof' }, format: 'JSON', action: 'Echo', requestId: RID });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json;charset=utf-8');
    expect(res.headers['x-acs-request-id']).toBe(RID);
    expect(res.payload).toBe(`{"RequestId":"${RID}","JobId":"j"}`);
  });

  it('XML: root <ActionResponse>, nested objects as elements, arrays as repeated elements, text escaped', () => {
    const res = formatIceSuccess({
      body: { Job: { Id: 'a&b', State: 'Finished' }, Voices: [{ Name: 'x' }, { Name: '<y>' }], Empty: [], Nothing: null, Skipped: undefined, Count: 2, Ok: true },
      format: 'XML',
      action: 'ListThings',
      requestId: RID,
    });
    expect(res.contentType).toBe('text/xml;charset=utf-8');
    expect(res.payload).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><ListThingsResponse><RequestId>${RID}</RequestId><Job><Id>a&amp;b</Id><State>Finished</State></Job>` +
        '<Voices><Name>x</Name></Voices><Voices><Name>&lt;y&gt;</Name></Voices><Nothing></Nothing><Count>2</Count><Ok>true</Ok></ListThingsResponse>',
    );
  });
});

describe('toXml', () => {
  it('drops characters XML cannot carry and fixes names that are not XML names', () => {
    expect(toXml('A', 'x\u0001y\uD800z😀')).toBe('<A>xyz😀</A>');
    expect(toXml('1 bad', 'v')).toBe('<_1_bad>v</_1_bad>');
  });
});

describe('formatIceError', () => {
  it('gives the AppError status and the gateway body with a Recommend link', () => {
    const res = formatIceError({ error: errors.jobNotFound('abc'), requestId: RID, hostId: 'ice.example', format: 'JSON' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.payload)).toEqual({
      RequestId: RID,
      HostId: 'ice.example',
      Code: 'JobNotFound',
      Message: 'The specified job not found: abc',
      Recommend: `https://api.aliyun.com/troubleshoot?q=JobNotFound&product=ICE&requestId=${RID}`,
    });
    expect(res.headers).toEqual({ 'x-acs-request-id': RID });
  });

  it('turns anything else, and internal AppErrors, into a 500 InternalError without detail', () => {
    for (const error of [new Error('db password is hunter2'), 'a string', errors.internal(new Error('secret detail'))]) {
      const res = formatIceError({ error, requestId: RID, hostId: 'h', format: 'JSON' });
      expect(res.status).toBe(500);
      const body = JSON.parse(res.payload);
      expect(body.Code).toBe('InternalError');
      expect(res.payload).not.toMatch(/hunter2|secret detail|a string/);
    }
  });

  it('adds x-acs-retry-after to throttling errors', () => {
    const res = formatIceError({ error: errors.throttled(3), requestId: RID, hostId: 'h', format: 'JSON' });
    expect(res.status).toBe(400);
    expect(res.headers['x-acs-retry-after']).toBe('3');
  });

  it('XML errors have the <Error> root', () => {
    const res = formatIceError({ error: errors.forbidden('Echo'), requestId: RID, hostId: 'h', format: 'XML' });
    expect(res.status).toBe(403);
    expect(res.contentType).toBe('text/xml;charset=utf-8');
    expect(res.payload).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>[^<]+<\/RequestId><HostId>h<\/HostId><Code>Forbidden.RAM<\/Code><Message>/);
    expect(res.payload).toContain('&amp;product=ICE');
  });
});

describe('newIceRequestId', () => {
  it('is an upper-case UUID', () => {
    expect(newIceRequestId()).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });
});
