/**
 * The session's transport over Deno's stdio: stdin read as a byte stream
 * into one reused buffer, replies written synchronously when small.
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import { ReplyWait } from "./_await_reply.ts";
import { denoReplyWriter, type DenoWriter } from "./_deno_sync_write.ts";
import { streamStdioTransport } from "./_stream_stdio_transport.ts";
import type { StdioOptions } from "./_host.ts";

/**
 * A transport over `input` (stdin's byte stream) and `output` (stdout's
 * write methods, bound before the stdout guard repoints them).
 */
export function denoTransport(
  input: ReadableStream<Uint8Array>,
  output: DenoWriter,
  options: StdioOptions = {},
  onClose: (deadline: number) => void = () => {},
): SessionTransport {
  return streamStdioTransport(input, denoReplyWriter(output), options, onClose, new ReplyWait());
}
