// The baseline of the read-path benchmark: a bare node:http server answering every request with one
// constant ~300-byte JSON body. Whatever phonegraph achieves is compared with this, measured in the
// same run on the same machine. Usage: node bench/bare-server.js [--host 127.0.0.1] [--port 0]
// Its first stdout line is `bare listening on http://HOST:PORT`; SIGTERM/SIGINT stop it.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

// A phone-number-like body of about the size of a small Graph response.
const BODY = Buffer.from(
  JSON.stringify({
    status: 'CONNECTED',
    quality_score: { score: 'GREEN', date: 1767225600, reasons: [] },
    display_phone_number: '+1 555-000-0001',
    verified_name: 'Bench Number 1',
    name_status: 'APPROVED',
    messaging_limit_tier: 'TIER_1K',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    id: '400000000000001',
  }),
);

const server = createServer((request, response) => {
  // Drain any request body so keep-alive connections stay usable.
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
  response.end(BODY);
});

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
