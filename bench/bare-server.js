// The baseline of the read-path benchmark: a bare node:http server that replays phonegraph's exact
// responses (same status, same headers in the same order, same body bytes), captured from a running
// phonegraph by bench/performance.js. A request for a captured id gets that id's response; any other
// path gets one of the captured responses chosen by its last digits, so body sizes follow the same mix.
// Usage: node bench/bare-server.js --responses FILE [--host 127.0.0.1] [--port 0]
// FILE is a JSON array of { id, status, headers: [[name, value], …], body } (see captured-responses.js).
// Its first stdout line is `bare listening on http://HOST:PORT`; SIGTERM/SIGINT stop it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    responses: { type: 'string' },
  },
});
if (values.responses === undefined) {
  process.stderr.write('usage: node bench/bare-server.js --responses FILE [--host H] [--port P]\n');
  process.exit(2);
}

const responses = JSON.parse(readFileSync(values.responses, 'utf8')).map((captured) => ({
  status: captured.status,
  headers: captured.headers.flat(),
  body: Buffer.from(captured.body, 'latin1'),
}));
const byId = new Map(JSON.parse(readFileSync(values.responses, 'utf8')).map((c, i) => [c.id, responses[i]]));

const server = createServer((request, response) => {
  // Drain any request body so keep-alive connections stay usable.
  request.resume();
  const url = request.url;
  const start = url.indexOf('/', 1) + 1;
  const end = url.indexOf('?', start);
  const id = url.slice(start, end === -1 ? undefined : end);
  const chosen = byId.get(id) ?? responses[Number(id.slice(-6)) % responses.length] ?? responses[0];
  response.writeHead(chosen.status, chosen.headers);
  response.end(chosen.body);
});
// phonegraph's keep-alive timeout (src/server/build-app.ts), so Node writes the same Keep-Alive header.
server.keepAliveTimeout = 72_000;

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  process.stdout.write(`bare listening on http://${host}:${port}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 2_000).unref();
}

process.once('SIGTERM', stop);
process.once('SIGINT', stop);
