/**
 * The download progress display on stderr: a live line on a terminal,
 * nothing between the start and end lines otherwise (logs stay readable).
 *
 * @module
 */

/** Counters the downloader updates. */
export interface DownloadProgress {
  /** A jar's bytes arrived. */
  addBytes(count: number): void;
  /** A jar was verified and moved into the cache. */
  jarDone(): void;
  /** Clears the live line (before the final message or an error). */
  finish(): void;
}

/** Formats a byte count for people: `512 B`, `3.4 kB`, `12.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * A progress display for `total` jars writing through `write`; live only
 * when `live` (stderr is a terminal), redrawn at most every 100 ms.
 */
export function createProgress(
  total: number,
  write: (text: string) => void,
  live: boolean,
): DownloadProgress & { readonly bytes: number } {
  let bytes = 0;
  let jars = 0;
  let lastDraw = 0;
  let drawn = false;
  const draw = (force: boolean): void => {
    if (!live) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    drawn = true;
    write(
      `\r\x1b[KDownloading jars: ${jars}/${total} done, ${formatBytes(bytes)}`,
    );
  };
  return {
    get bytes() {
      return bytes;
    },
    addBytes(count) {
      bytes += count;
      draw(false);
    },
    jarDone() {
      jars++;
      draw(jars === total);
    },
    finish() {
      if (drawn) write("\r\x1b[K");
      drawn = false;
    },
  };
}
