/**
 * A download link for a signed, expiring URL. An expired (or nearly expired) URL would save the
 * server's AccessDenied answer instead of the file, so a click first fetches a fresh one.
 */
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { needsFreshUrl } from '../models/media-url.js';

/** Saves `url` as `fileName` the way a click on the link would. */
function save(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.target = '_blank';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

export function DownloadLink({
  url,
  fileName,
  freshUrl,
  testId,
  format,
  children,
}: {
  url: string;
  fileName: string;
  /** Fetches the job again and returns this file's new URL (null when that failed). */
  freshUrl: () => Promise<string | null>;
  testId: string;
  format?: string;
  children: ComponentChildren;
}) {
  const receivedAt = useMemo(() => Date.now(), [url]);
  return (
    // target=_blank: where the browser ignores `download` (a URL on another origin) the file opens in a tab, and the console stays.
    <a
      class="download"
      href={url}
      download={fileName}
      target="_blank"
      rel="noopener"
      data-testid={testId}
      data-format={format}
      onClick={(event) => {
        if (!needsFreshUrl({ url, receivedAt, now: Date.now() })) return;
        event.preventDefault();
        void freshUrl().then((fresh) => save(fresh ?? url, fileName));
      }}
    >
      {children}
    </a>
  );
}
