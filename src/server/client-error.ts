import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphHandler } from '../graph/graph-handler.ts';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/**
 * Node's HTTP parser refused the request (bad `Content-Length`, `\` or raw non-ASCII in the path,
 * headers over 64 KiB): there is no request to route, so the answer is a minimal Graph error (code
 * 100, HTTP/1.1, Graph's headers, no body on HEAD) and the connection closes (docs/fidelity.md).
 */
export function answerClientError(graph: GraphHandler, error: ParserError, socket: Duplex): void {
  // The parser reports again for every further chunk of a refused request: it is being drained.
  if (answered.has(socket)) return;
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (
    error.code === 'ECONNRESET' ||
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ||
    !socket.writable ||
    inProgress?.headersSent === true
  ) {
    socket.destroy();
    return;
  }
  const response = graph.malformed(
    error.code === 'HPE_HEADER_OVERFLOW' ? 'headersTooLarge' : 'malformedRequest',
  );
  // The method is known when the refused bytes start the request; over 64 KiB of headers the request
  // line came in an earlier chunk, and the body is sent (docs/fidelity.md).
  const isHead = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${response.body.length}`, 'Connection: close', '', '');
  socket.end(lines.join('\r\n') + (isHead ? '' : response.body));
  answered.add(socket);
  drainThenClose(socket);
}

/** Sockets already answered: later parser errors on them are the rest of the same refused request. */
const answered = new WeakSet<Duplex>();

/** How much of a refused request is read and dropped, and for how long, before the socket is reset. */
const MAX_DRAIN_BYTES = 64 * 1_048_576;
const MAX_DRAIN_MS = 10_000;

/**
 * Closing with unread bytes makes the kernel reset the connection, and a client still sending (a huge
 * request line) would lose the answer: the rest is read and dropped, bounded, then the socket closes.
 */
function drainThenClose(socket: Duplex): void {
  let drained = 0;
  const timer = setTimeout(() => socket.destroy(), MAX_DRAIN_MS);
  timer.unref();
  socket.on('close', () => clearTimeout(timer));
  socket.on('end', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) socket.destroy();
  });
  socket.resume();
}
