/**
 * What the console needs to know about a MediaUrl (or a subtitle Url) before it hands it to the
 * browser: the file name to save it under, when its signature runs out, and whether it names this
 * very server under another host name (then a page-relative URL reaches it where the original,
 * e.g. 127.0.0.1 seen from a page opened via localhost or a LAN address, may not).
 */

const EXTENSIONS: Record<string, string> = { MP3: 'mp3', WAV: 'wav', PCM: 'pcm' };

/** The last path segment of the URL, decoded, with the format's extension when it has none. */
export function downloadName(url: string, format?: string): string {
  let name = '';
  try {
    const path = new URL(url, 'http://x/').pathname;
    name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } catch {
    // An odd URL: fall back to a neutral name below.
  }
  if (name === '') name = 'narrate';
  const extension = format ? EXTENSIONS[format.toUpperCase()] : undefined;
  if (extension && !name.toLowerCase().endsWith(`.${extension}`)) name += `.${extension}`;
  return name;
}

/**
 * When the URL stops working, in epoch milliseconds, or null when it carries no expiry. Narrate's
 * local buckets and OSS put `Expires=<epoch seconds>`; S3 presigned URLs `X-Amz-Date` + `X-Amz-Expires`.
 */
export function urlExpiresAt(url: string): number | null {
  let query: URLSearchParams;
  try {
    query = new URL(url, 'http://x/').searchParams;
  } catch {
    return null;
  }
  const expires = query.get('Expires');
  if (expires && /^\d{1,12}$/.test(expires)) return Number(expires) * 1000;
  const amzDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  const amzExpires = query.get('X-Amz-Expires');
  if (amzDate && amzExpires && /^\d+$/.test(amzExpires)) {
    const [, y, mo, d, h, mi, s] = amzDate.map(Number) as [number, number, number, number, number, number, number];
    return Date.UTC(y, mo - 1, d, h, mi, s) + Number(amzExpires) * 1000;
  }
  return null;
}

/**
 * Whether to ask the server for a fresh URL before using this one: it has expired or is about to.
 * "About to" is a quarter of its lifetime (at most 30 s), so a server with very short-lived URLs
 * (`--presign-seconds 5`) does not make every fresh URL look stale and refresh in a loop.
 */
export function needsFreshUrl({ url, receivedAt, now }: { url: string; receivedAt: number; now: number }): boolean {
  const expiresAt = urlExpiresAt(url);
  if (expiresAt === null) return false;
  const margin = Math.min(30_000, Math.max(0, expiresAt - receivedAt) / 4);
  return now >= expiresAt - margin;
}

/**
 * The path this server is reached under, from the console page's own path: '' for `/console/`,
 * `/narrate` for `/narrate/console/` (a proxy that strips that prefix before Narrate sees it).
 */
export function serverPrefix(pagePath: string): string {
  const consoleAt = pagePath.indexOf('/console');
  return consoleAt >= 0 ? pagePath.slice(0, consoleAt) : '';
}

/**
 * A signed URL of this server's local buckets (`…/buckets/…?Expires=…&Signature=…`, the path
 * prefix the same as the page's before `/console/`) on another origin becomes page-relative: the
 * signature covers the path only, and the page's own origin is known to reach this server. Any
 * other URL (S3, OSS, a CDN) is returned as it is.
 */
export function reachableUrl(url: string, page: { origin: string; pathname: string }): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.origin === page.origin) return url;
  if (!parsed.searchParams.has('Expires') || !parsed.searchParams.has('Signature')) return url;
  const pagePrefix = serverPrefix(page.pathname);
  const bucketsAt = parsed.pathname.indexOf('/buckets/');
  if (bucketsAt < 0 || parsed.pathname.slice(0, bucketsAt) !== pagePrefix) return url;
  return `${parsed.pathname}${parsed.search}`;
}

/** Whether the browser would fetch the URL from another origin than the page's. */
export function isOtherOrigin(url: string, pageOrigin: string): boolean {
  try {
    return new URL(url, pageOrigin).origin !== pageOrigin;
  } catch {
    return false;
  }
}
