/**
 * GetMediaInfo's InputURL (reference §3.3): the object a media URL points at. Accepted forms:
 *  - `oss://bucket/dir/name.mp3`, as ICE writes them;
 *  - `https://bucket.oss-cn-shanghai.aliyuncs.com/dir/name.mp3`, an OSS URL;
 *  - a MediaUrl Narrate gave out: `http://host[/prefix]/buckets/bucket/dir/name.mp3?Expires=…` (local
 *    storage) or an S3 presigned URL, `http://endpoint/bucket/dir/name.mp3?X-Amz-…` (path style).
 * Each path segment is percent-decoded once; the query (expiry, signature) is ignored.
 */
import { validateBucketName, validateObjectKey } from '../storage/object-key.models.js';

export interface MediaLocation {
  bucket: string;
  key: string;
}

const OSS_HOST = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[a-z0-9-]+\.aliyuncs\.com$/;

/** The bucket and key a media URL names, or null when it is none of the accepted forms. */
export function parseMediaUrl(input: string): MediaLocation | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  const segments = url.pathname.split('/').slice(1);
  let bucket: string | undefined;
  let keySegments: string[];
  if (url.protocol === 'oss:') {
    // oss://bucket/key: the bucket is the URL's host.
    bucket = url.hostname;
    keySegments = segments;
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    const oss = OSS_HOST.exec(url.hostname);
    if (oss) {
      bucket = oss[1];
      keySegments = segments;
    } else if (segments.includes('buckets')) {
      // Behind a --public-url with a path (https://host/narrate/buckets/…) the route sits under it.
      [bucket, ...keySegments] = segments.slice(segments.indexOf('buckets') + 1);
    } else if ([...url.searchParams.keys()].some((name) => name.startsWith('X-Amz-'))) {
      [bucket, ...keySegments] = segments;
    } else {
      return null;
    }
  } else {
    return null;
  }
  if (bucket === undefined) return null;
  try {
    const decoded = [bucket, ...keySegments].map((segment) => decodeURIComponent(segment));
    // An encoded "/" inside a segment would name another folder than the URL shows.
    if (decoded.some((segment) => segment.includes('/'))) return null;
    const [name, ...key] = decoded as [string, ...string[]];
    const location = { bucket: name, key: key.join('/') };
    validateBucketName(location.bucket);
    validateObjectKey(location.key);
    return location;
  } catch {
    return null;
  }
}

/** OutputConfig objects that produce `key` (reference §1.3: the service appends the extension unless it is there). */
export function objectsForKey(key: string): string[] {
  const extension = /\.(mp3|wav|pcm)$/i.exec(key);
  return extension ? [key.slice(0, -extension[0].length), key] : [key];
}
