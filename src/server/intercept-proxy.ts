/**
 * `--intercept PORT`: an HTTP proxy (CONNECT) for SDKs whose Graph host is hard-coded. It terminates
 * TLS for `graph.facebook.com` with a certificate signed by a local CA that phonegraph creates once and
 * keeps beside its database, and hands the decrypted connection to the same HTTP server (so the same
 * Graph handler answers, and paging links name `https://graph.facebook.com`). Every other host is
 * refused with 403: nothing is ever forwarded to the internet.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type * as X509 from '@peculiar/x509';

/** The one host the proxy serves. */
export const INTERCEPTED_HOST = 'graph.facebook.com';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

type X509Module = typeof X509;

/**
 * @peculiar/x509 (and the reflect-metadata polyfill its DI container needs) load only when the proxy
 * starts, so a server without `--intercept` pays nothing for them.
 */
async function loadX509(): Promise<X509Module> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}

export interface InterceptOptions {
  /** Port of the proxy; 0 picks a free one. */
  readonly port: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Where `ca.pem` and `ca-key.pem` live (created on first use); see `caDirFor`. */
  readonly caDir: string;
}

export interface RunningIntercept {
  /** `http://127.0.0.1:PORT`: the value of `HTTPS_PROXY`. */
  readonly proxyUrl: string;
  /** The CA certificate to trust: the value of `NODE_EXTRA_CA_CERTS`. */
  readonly caPath: string;
  /** `HTTPS_PROXY` and `NODE_EXTRA_CA_CERTS`, ready for a child process's environment. */
  readonly env: { readonly HTTPS_PROXY: string; readonly NODE_EXTRA_CA_CERTS: string };
  close(): Promise<void>;
}

/** `<db dir>/phonegraph-ca` for a database file; for `:memory:` one fixed folder under the OS temp dir. */
export function caDirFor(db: string): string {
  if (db === ':memory:' || db === '') return join(tmpdir(), 'phonegraph-ca');
  return join(dirname(resolve(db)), 'phonegraph-ca');
}

interface CertificateAuthority {
  readonly certificate: X509.X509Certificate;
  readonly privateKey: CryptoKey;
  readonly certificatePath: string;
}

async function loadOrCreateCa(x509: X509Module, dir: string): Promise<CertificateAuthority> {
  const certificatePath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (existsSync(certificatePath) && existsSync(keyPath)) {
    const certificate = new x509.X509Certificate(await readFile(certificatePath, 'utf8'));
    const der = x509.PemConverter.decodeFirst(await readFile(keyPath, 'utf8'));
    const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
    return { certificate, privateKey: privateKey as CryptoKey, certificatePath };
  }
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=phonegraph local CA ${randomSerial().slice(0, 8)}, O=phonegraph`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  await writeFile(keyPath, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certificatePath, certificate.toString('pem'));
  return { certificate, privateKey: keys.privateKey, certificatePath };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

/** A fresh leaf for `graph.facebook.com`, signed by the CA, made at every start (never written). */
async function leafContext(x509: X509Module, ca: CertificateAuthority): Promise<SecureContext> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${INTERCEPTED_HOST}`,
    issuer: ca.certificate.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: INTERCEPTED_HOST }]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return createSecureContext({
    key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    cert: leaf.toString('pem'),
  });
}

function refuse(socket: Socket, status: string, message: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n\r\n${message}`,
  );
}

/** `CONNECT host:port`: only graph.facebook.com on 443 is served. */
function connectTarget(request: IncomingMessage): { host: string; port: string } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(request.url ?? '');
  if (match === null) return undefined;
  return { host: (match[1] ?? '').toLowerCase(), port: match[2] ?? '' };
}

/**
 * Starts the proxy. Decrypted connections are handed to `graphServer` (the server `startServer`
 * listens with), so they take exactly the path of a direct request.
 */
export async function startInterceptProxy(
  graphServer: Server,
  options: InterceptOptions,
): Promise<RunningIntercept> {
  const x509 = await loadX509();
  const ca = await loadOrCreateCa(x509, options.caDir);
  const secureContext = await leafContext(x509, ca);
  const sockets = new Set<Socket>();
  const proxy = createServer((_request, response) => {
    // Plain (absolute-form) proxy requests are never forwarded.
    const message = `phonegraph --intercept answers CONNECT ${INTERCEPTED_HOST}:443 only\n`;
    response
      .writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      .end(message);
  });
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  proxy.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const target = connectTarget(request);
    if (target === undefined || target.host !== INTERCEPTED_HOST || target.port !== '443') {
      refuse(
        socket,
        '403 Forbidden',
        `phonegraph --intercept serves only ${INTERCEPTED_HOST}:443, not ${request.url ?? ''}\n`,
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    const tls = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    tls.on('error', () => tls.destroy());
    graphServer.emit('connection', tls);
  });
  await new Promise<void>((resolveListen, reject) => {
    proxy.once('error', reject);
    proxy.listen(options.port, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = proxy.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  const proxyUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    proxyUrl,
    caPath: ca.certificatePath,
    env: { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: ca.certificatePath },
    close: async () => {
      const closed = new Promise<void>((resolveClose) => proxy.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
