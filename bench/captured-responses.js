// The baseline sends phonegraph's exact response bytes. This module takes them from a running
// phonegraph (raw HTTP/1.1 over a socket, so nothing is normalised on the way) and compares responses
// byte for byte. Shared by bench/performance.js, bench/bare-server.js and test/bench.test.ts.
import { connect } from 'node:net';

/** Headers node:http writes by itself after the ones a handler sets; the bare server lets node add them. */
export const NODE_ADDED_HEADERS = ['date', 'connection', 'keep-alive', 'transfer-encoding'];
/** Headers whose values differ from one request to the next (ids, usage counters, time). */
export const VOLATILE_HEADERS = [
  'date',
  'x-fb-request-id',
  'x-fb-trace-id',
  'x-fb-debug',
  'x-app-usage',
  'x-business-use-case-usage',
  'x-fb-debug',
];

/** One raw GET over a fresh connection; resolves with the bytes of the status line, headers and body. */
export function rawGet(baseUrl, path) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    const chunks = [];
    let expected = -1;
    let received = 0;
    socket.once('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`),
    );
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected === -1) {
        const all = Buffer.concat(chunks);
        const end = all.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, end).toString('latin1'));
        if (length === null) return finish(new Error(`no content-length in ${all.toString('latin1')}`));
        expected = end + 4 + Number(length[1]);
      }
      if (received >= expected) finish();
    });
    socket.once('error', (error) => finish(error));
    socket.setTimeout(10_000, () => finish(new Error(`GET ${path}: no complete response in 10 s`)));
    function finish(error) {
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    }
  });
}

/** Splits raw response bytes into status code, header pairs in wire order, and body. */
export function parseRaw(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { status, statusLine, headers, body: raw.subarray(end + 4) };
}

/** A captured response as stored for the bare server: the headers phonegraph itself sets, and the body. */
export function toCaptured(id, raw) {
  const { status, headers, body } = parseRaw(raw);
  return {
    id,
    status,
    headers: headers.filter(([name]) => !NODE_ADDED_HEADERS.includes(name.toLowerCase())),
    body: body.toString('latin1'),
  };
}

/** The raw bytes with the values of volatile headers replaced by `*`, for comparing two responses. */
export function masked(raw, names = VOLATILE_HEADERS) {
  const { statusLine, headers, body } = parseRaw(raw);
  const lines = headers.map(
    ([name, value]) => `${name}: ${names.includes(name.toLowerCase()) ? '*' : value}`,
  );
  return `${statusLine}\r\n${lines.join('\r\n')}\r\n\r\n${body.toString('latin1')}`;
}
