/**
 * The signature v1 test vectors of the protocol reference (§7.4), shared by every test of a v1
 * signer (the server's and the console's in-browser one). Secret for all: `testsecret`.
 */
export const V1_SECRET = 'testsecret';

/** Official vector 1 (ECS DescribeRegions), GET. */
export const V1_DESCRIBE_REGIONS = {
  params: {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  },
  stringToSign:
    'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
  signature: 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
} as const;

/** Official vector 2 (ECS DescribeDedicatedHosts), GET. */
export const V1_DESCRIBE_DEDICATED_HOSTS = {
  params: {
    AccessKeyId: 'testid',
    Action: 'DescribeDedicatedHosts',
    Format: 'JSON',
    RegionId: 'cn-beijing',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'edb2b34af0af9a6d14deaf7c1a5315eb',
    SignatureVersion: '1.0',
    Timestamp: '2023-03-13T08:34:30Z',
    Version: '2014-05-26',
  },
  signature: '9NaGiOspFP5UPcwX8Iwt2YJXXuk=',
} as const;

/** The ICE vector (self-computed in the reference, two implementations agreeing), POST and GET. */
export const V1_ICE = {
  params: {
    AccessKeyId: 'testid',
    Action: 'SubmitAudioProduceJob',
    Format: 'JSON',
    RegionId: 'cn-shanghai',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    Timestamp: '2024-01-01T00:00:00Z',
    Version: '2020-11-09',
    EditingConfig: '{"voice":"Siqi","format":"MP3","volume":50}',
    InputConfig: '你好，世界！Hello world*~',
    OutputConfig: '{"bucket":"my-bucket","object":"tts/hello"}',
  },
  postStringToSign:
    'POST&%2F&AccessKeyId%3Dtestid%26Action%3DSubmitAudioProduceJob%26EditingConfig%3D%257B%2522voice%2522%253A%2522Siqi%2522%252C%2522format%2522%253A%2522MP3%2522%252C%2522volume%2522%253A50%257D%26Format%3DJSON%26InputConfig%3D%25E4%25BD%25A0%25E5%25A5%25BD%25EF%25BC%258C%25E4%25B8%2596%25E7%2595%258C%25EF%25BC%2581Hello%2520world%252A~%26OutputConfig%3D%257B%2522bucket%2522%253A%2522my-bucket%2522%252C%2522object%2522%253A%2522tts%252Fhello%2522%257D%26RegionId%3Dcn-shanghai%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2020-11-09',
  postSignature: 'OxM6Cc3pmaqUiO8XPNyGzSz1oh0=',
  getSignature: 'fEOuHoIpZqITqtYoYgA7nCmj74Q=',
} as const;
