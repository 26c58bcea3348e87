import { connect } from 'node:net';

/** One raw exchange over a fresh TCP connection: what the server wrote until it closed the socket. */
export interface RawExchange {
  readonly text: string;
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly headerNames: string[];
  readonly body: string;
  /** The server closed the connection (it was not reset). */
  readonly closed: boolean;
}

/** Sends `request` bytes as given and reads until the server closes (or `timeoutMs`, then fails). */
export function rawRequest(url: string, request: string | Buffer, timeoutMs = 15_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1')}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map<string, string>();
      const headerNames: string[] = [];
      for (const line of lines) {
        const colon = line.indexOf(':');
        headerNames.push(line.slice(0, colon));
        headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({
        text,
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers,
        headerNames,
        body: split === -1 ? '' : text.slice(split + 4),
        closed: true,
      });
    });
    socket.write(request);
  });
}
