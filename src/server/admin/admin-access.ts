import type { FastifyRequest } from 'fastify';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Store } from '../../store/store.ts';
import {
  cookieRequestAllowed,
  gateVerdict,
  hostName,
  type GateOptions,
  type GateVerdict,
} from './admin-gate.ts';
import { AdminSessions, SESSION_COOKIE, tokenMatches } from './admin-session.ts';

/** How a caller proved it may use the control plane. */
export type AdminCredential = 'loopback' | 'bearer' | 'cookie';

export interface AdminAccessOptions extends GateOptions {
  /** Holds the secret that signs session cookies (`meta`), read once when a cookie is first seen. */
  readonly store: Store;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * The control plane's access rule, shared by `/__admin` and `/__dashboard` (docs/admin.md, "Access"):
 * without `--admin-token`, loopback peers (judged on the socket, never on X-Forwarded-For); with it,
 * `Authorization: Bearer <token>` or the session cookie the token page sets. Then the gate
 * (admin-gate.ts), and for the cookie the CSRF rule a browser-held credential needs.
 */
export class AdminAccess {
  readonly gate: GateOptions;
  readonly #store: Store;
  #sessions: Promise<AdminSessions> | undefined;

  constructor(options: AdminAccessOptions) {
    this.gate = { adminToken: options.adminToken, publicUrl: options.publicUrl };
    this.#store = options.store;
  }

  /** With `--admin-token`, a browser without the cookie is shown the token page. */
  get tokenRequired(): boolean {
    return this.gate.adminToken !== undefined;
  }

  #loadSessions(adminToken: string): Promise<AdminSessions> {
    // A failed read (store outage) is not remembered: the next request tries again.
    this.#sessions ??= AdminSessions.fromStore(this.#store, adminToken).catch((error: unknown) => {
      this.#sessions = undefined;
      throw error;
    });
    return this.#sessions;
  }

  /** The credential the request carries, or undefined. */
  async credential(request: FastifyRequest): Promise<AdminCredential | undefined> {
    const adminToken = this.gate.adminToken;
    if (adminToken === undefined) return isLoopback(request.socket.remoteAddress) ? 'loopback' : undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return tokenMatches(bearer, adminToken) ? 'bearer' : undefined;
    const cookieHeader = request.headers.cookie;
    if (cookieHeader === undefined) return undefined;
    const value = parseCookie(cookieHeader)[SESSION_COOKIE];
    if (value === undefined) return undefined;
    return (await this.#loadSessions(adminToken)).verify(value) ? 'cookie' : undefined;
  }

  /** The credential and the gate together: `hide` unless both admit the request. */
  async verdict(request: FastifyRequest): Promise<GateVerdict> {
    const credential = await this.credential(request);
    if (credential === undefined) return 'hide';
    if (credential === 'cookie' && !cookieRequestAllowed(request, this.gate)) return 'hide';
    return gateVerdict(request, this.gate);
  }

  /** Whether a submitted token is the admin token (constant time; false without `--admin-token`). */
  tokenMatches(given: string): boolean {
    return this.gate.adminToken !== undefined && tokenMatches(given, this.gate.adminToken);
  }

  /**
   * `Secure` when the request came over https, or reached the `--public-url` host and that URL is
   * https (a TLS proxy in front); a plain-http page could not send a Secure cookie back.
   */
  #secure(request: FastifyRequest): boolean {
    if (request.protocol === 'https') return true;
    let pub: URL;
    try {
      pub = new URL(this.gate.publicUrl ?? '');
    } catch {
      return false;
    }
    const host = request.headers.host;
    return (
      pub.protocol === 'https:' &&
      host !== undefined &&
      hostName(host) === pub.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    );
  }

  /** The `Set-Cookie` value of a new session (only with `--admin-token`). */
  async sessionCookie(request: FastifyRequest): Promise<string> {
    const adminToken = this.gate.adminToken;
    if (adminToken === undefined) throw new Error('sessions exist only with --admin-token');
    const value = (await this.#loadSessions(adminToken)).issue();
    return stringifySetCookie({
      name: SESSION_COOKIE,
      value,
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#secure(request),
    });
  }

  /** The `Set-Cookie` value that deletes the session cookie. */
  clearedCookie(request: FastifyRequest): string {
    return stringifySetCookie({
      name: SESSION_COOKIE,
      value: '',
      path: '/',
      maxAge: 0,
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#secure(request),
    });
  }
}
