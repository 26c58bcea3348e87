import { isIP } from 'node:net';

/**
 * Who may use the control plane (`/__admin`, and the dashboard later, which calls it from the same
 * origin): one check, so every non-Graph surface that changes state is guarded the same way
 * (docs/reliability.md, "The admin plane's protections").
 */
export interface GateOptions {
  /** `--admin-token`: when set, the bearer token is the caller's proof and any Host is accepted. */
  readonly adminToken: string | undefined;
  /** `--public-url`: its host and origin count as the server's own. */
  readonly publicUrl: string | undefined;
}

/** The parts of a request the gate reads (a Fastify request or a raw `IncomingMessage` both fit). */
export interface GateRequest {
  readonly method: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** `admit`; `hide` (answer the same 404 as an unknown path); `media_type` (415: a write must be JSON). */
export type GateVerdict = 'admit' | 'hide' | 'media_type';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function header(request: GateRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a `Host` header, without the port; IPv6 without brackets. */
export function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(1, end);
  }
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

/** `localhost`, 127.0.0.0/8 and ::1: names a page on another site cannot make a browser send (DNS rebinding aside, which this refuses). */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

function publicOrigin(publicUrl: string | undefined): URL | undefined {
  if (publicUrl === undefined) return undefined;
  try {
    return new URL(publicUrl);
  } catch {
    return undefined;
  }
}

/** Whether an `Origin` header names this server: `http://{Host}` or the `--public-url` origin. */
export function isOwnOrigin(origin: string, request: GateRequest, options: GateOptions): boolean {
  const host = header(request, 'host');
  const given = origin.toLowerCase();
  if (host !== undefined && given === `http://${host}`.toLowerCase()) return true;
  return given === publicOrigin(options.publicUrl)?.origin.toLowerCase();
}

/**
 * The gate, in order: no preflight (a cross-origin write needs one, so browsers stop there); the
 * `Host` must name this machine (loopback) or the `--public-url` host, unless an admin token is set
 * (a rebinding page cannot know it); an `Origin`, when sent, must be the server's own; a write with a
 * body (or any declared content type) must be `application/json`, which no cross-site form can send.
 */
export function gateVerdict(request: GateRequest, options: GateOptions): GateVerdict {
  const method = request.method ?? 'GET';
  if (method === 'OPTIONS') return 'hide';
  const host = header(request, 'host');
  const name = host === undefined ? undefined : hostName(host);
  const pub = publicOrigin(options.publicUrl);
  if (options.adminToken === undefined) {
    if (name === undefined) return 'hide';
    if (!isLoopbackName(name) && name !== pub?.hostname.replace(/^\[|\]$/g, '').toLowerCase()) return 'hide';
  }
  const origin = header(request, 'origin');
  if (origin !== undefined && !isOwnOrigin(origin, request, options)) return 'hide';
  if (WRITE_METHODS.has(method)) {
    const type = header(request, 'content-type');
    if (type !== undefined) return /^application\/json\s*(;|$)/i.test(type) ? 'admit' : 'media_type';
    const length = header(request, 'content-length');
    const hasBody =
      header(request, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
    if (hasBody) return 'media_type';
  }
  return 'admit';
}

/**
 * What a session cookie must also pass (CSRF). A browser attaches the cookie to requests from every
 * page of the same site, and a site ignores ports: a page on another port of 127.0.0.1 sends it too.
 * So a cookie request the browser marks as not same-origin (`Sec-Fetch-Site: same-site|cross-site`) is
 * refused, unless it is a top-level page load (the other page cannot read what it opens); and a cookie
 * write must carry this server's own `Origin` (browsers send one on every write).
 */
export function cookieRequestAllowed(request: GateRequest, options: GateOptions): boolean {
  const method = request.method ?? 'GET';
  const site = header(request, 'sec-fetch-site');
  const topLevelRead =
    (method === 'GET' || method === 'HEAD') &&
    header(request, 'sec-fetch-mode') === 'navigate' &&
    header(request, 'sec-fetch-dest') === 'document';
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !topLevelRead) return false;
  if (!WRITE_METHODS.has(method)) return true;
  const origin = header(request, 'origin');
  return origin !== undefined && isOwnOrigin(origin, request, options);
}
