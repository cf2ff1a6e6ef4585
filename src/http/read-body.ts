import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { GapwardenError } from '../internal/errors.js';

/**
 * Reads a request body as UTF-8 text, refusing it with PAYLOAD_TOO_LARGE once
 * it passes `limit` bytes (at once when Content-Length says so). On the Node
 * server it reads the socket's IncomingMessage directly: the web-stream
 * adapter behind `c.req.text()` costs about as much as parsing a 100 kB batch.
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const source: AsyncIterable<Uint8Array> | null =
    incoming && typeof incoming.on === 'function' && !incoming.readableDidRead ? incoming : c.req.raw.body;
  if (source) {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(limit: number): GapwardenError {
  return new GapwardenError(
    'PAYLOAD_TOO_LARGE',
    `the body is larger than ${limit} bytes (server.bodyLimit); send smaller batches`,
  );
}
