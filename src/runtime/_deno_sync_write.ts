/**
 * Deno's replies: written synchronously when small. Deno's asynchronous
 * stdio write runs on a worker thread; writing small replies synchronously
 * saves 25-36% of W2's CPU and 40% of W3's (bench/README.md, "Speed measures of the
 * runtime layer").
 *
 * @module
 */

/** The part of `Deno.stdout` the transport writes through. */
export interface DenoWriter {
  write(bytes: Uint8Array): Promise<number>;
  writeSync(bytes: Uint8Array): number;
}

/**
 * Longest reply written synchronously. A small synchronous write cannot
 * block: the session writes one reply per daemon message and the daemon
 * reads each before it sends the next, so the pipe never holds more than
 * one reply.
 */
const SYNC_WRITE_LIMIT = 16 * 1024;

/**
 * A write of reply lines to `output`: synchronous when small and nothing is
 * under way, else asynchronous after every earlier write (a promise then).
 */
export function denoReplyWriter(output: DenoWriter): (line: string) => void | Promise<void> {
  const encoder = new TextEncoder();
  let chain: Promise<void> | undefined;
  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) offset += await output.write(bytes.subarray(offset));
  };
  return (line) => {
    const bytes = encoder.encode(line);
    if (chain === undefined && bytes.length <= SYNC_WRITE_LIMIT) {
      let offset = 0;
      while (offset < bytes.length) offset += output.writeSync(bytes.subarray(offset));
      return;
    }
    // Larger replies go asynchronously; later ones wait for them, in order.
    const written: Promise<void> = (chain ?? Promise.resolve()).then(() => writeAll(bytes)).finally(() => {
      if (chain === written) chain = undefined;
    });
    chain = written;
    return written;
  };
}
