/**
 * Pure rules for OutputConfig `bucket` / `object` (reference §1.3). Both storage backends call these
 * again before touching anything, so a key that passes here is safe as a local path under the bucket.
 */
import { errors } from '../shared/errors.js';
import { CONTENT_TYPES as AUDIO_CONTENT_TYPES } from '../audio/content-types.js';

/** S3's and OSS's limit is 1024 / 1023 bytes; we take the smaller so a key works on both. */
export const MAX_KEY_BYTES = 1023;
/** ext4, XFS, btrfs, APFS: a single file name is at most 255 bytes, so a longer segment cannot be stored locally. */
export const MAX_SEGMENT_BYTES = 255;

const BUCKET_PARAM = 'OutputConfig.bucket';
const OBJECT_PARAM = 'OutputConfig.object';

/**
 * Bucket names: 1–63 characters of lower-case ASCII letters, digits, `-`, `.` and `_`, starting and
 * ending with a letter or digit, no `..`, not shaped like an IPv4 address.
 *
 * This is S3's rule plus the underscore and short names: the architecture's own example is bucket `b`: Alibaba's own documented example is `my_bucket` (reference §1.3),
 * and clients copied from that example should work against local storage. Real S3 and OSS reject
 * underscores (and OSS rejects dots) themselves, with their own error, at write time.
 */
export function validateBucketName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw errors.invalidParameter(BUCKET_PARAM, 'it is empty.');
  if (name.length > 63) throw errors.invalidParameter(BUCKET_PARAM, 'it must be 1 to 63 characters long.');
  if (!/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/.test(name)) {
    throw errors.invalidParameter(
      BUCKET_PARAM,
      'use only lower-case letters, digits, "-", "_" and ".", starting and ending with a letter or digit.',
    );
  }
  if (name.includes('..')) throw errors.invalidParameter(BUCKET_PARAM, 'it must not contain "..".');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) throw errors.invalidParameter(BUCKET_PARAM, 'it must not look like an IP address.');
}

/**
 * Object keys: 1–1023 bytes of UTF-8, `/`-separated segments, each non-empty, not `.` or `..`, at most
 * 255 bytes; no leading or trailing `/`, no backslash, no control characters (C0, DEL, C1), no lone
 * UTF-16 surrogates (they have no UTF-8 form). Anything else, including any Unicode letter, is fine.
 */
export function validateObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw errors.invalidParameter(OBJECT_PARAM, 'it is empty.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) throw errors.invalidParameter(OBJECT_PARAM, 'it contains a control character.');
  if (/\p{Cs}/u.test(key)) throw errors.invalidParameter(OBJECT_PARAM, 'it contains an unpaired UTF-16 surrogate.');
  if (key.includes('\\')) throw errors.invalidParameter(OBJECT_PARAM, 'it contains a backslash; use "/" to separate folders.');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw errors.invalidParameter(OBJECT_PARAM, `it is ${bytes} bytes long in UTF-8; at most ${MAX_KEY_BYTES} are allowed.`);
  if (key.startsWith('/')) throw errors.invalidParameter(OBJECT_PARAM, 'it must not start with "/".');
  if (key.endsWith('/')) throw errors.invalidParameter(OBJECT_PARAM, 'it must not end with "/".');
  for (const segment of key.split('/')) {
    if (segment === '') throw errors.invalidParameter(OBJECT_PARAM, 'it contains an empty folder name ("//").');
    if (segment === '.' || segment === '..') throw errors.invalidParameter(OBJECT_PARAM, 'it must not contain "." or ".." folder names.');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw errors.invalidParameter(OBJECT_PARAM, `each "/"-separated part must be at most ${MAX_SEGMENT_BYTES} bytes.`);
    }
  }
}

/**
 * The stored key for OutputConfig.object and an output format (reference §1.3: the object is given
 * without extension, the service appends one).
 *
 * Rule: append `.` + the lower-case format, unless the object already ends with exactly that extension
 * in any letter case, in which case it is kept as given: `dir/name` + MP3 → `dir/name.mp3`,
 * `name.MP3` + MP3 → `name.MP3`, `name.wav` + MP3 → `name.wav.mp3`. The result is validated (the
 * 1023-byte limit counts the extension).
 */
export function outputKey(args: { object: string; format: string }): string {
  const { object, format } = args;
  if (!/^[A-Za-z0-9]{1,16}$/.test(format)) throw errors.invalidParameter('EditingConfig.format', `"${format}" is not a file format name.`);
  validateObjectKey(object);
  const extension = `.${format.toLowerCase()}`;
  const key = object.toLowerCase().endsWith(extension) ? object : object + extension;
  validateObjectKey(key);
  return key;
}

const CONTENT_TYPES: Record<string, string> = {
  ...AUDIO_CONTENT_TYPES,
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
};

/**
 * The Content-Type local storage reports and serves for a key, from its extension. Local disk keeps no
 * metadata beside the bytes, so the type is a function of the name (S3 keeps the one given at put).
 */
export function contentTypeForKey(key: string): string {
  const dot = key.lastIndexOf('.');
  const slash = key.lastIndexOf('/');
  if (dot <= slash + 1) return 'application/octet-stream';
  return CONTENT_TYPES[key.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}
