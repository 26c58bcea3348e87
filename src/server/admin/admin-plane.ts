import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { certificatePublicKey } from '../../domain/certificate-keys.ts';
import type { Store } from '../../store/store.ts';

export interface AdminPlaneOptions {
  readonly store: Store;
  /** When set, `Authorization: Bearer <token>` is required from anywhere; else loopback only. */
  readonly adminToken: string | undefined;
}

export type AdminErrorCode = 'validation_failed' | 'not_found' | 'invalid_transition' | 'unauthorized';

export function sendAdminError(
  reply: FastifyReply,
  status: number,
  code: AdminErrorCode,
  message: string,
): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { message, code } });
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Judged on the socket's peer address, never on X-Forwarded-For. A refused caller sees the same 404
 * as an unknown path, so the admin plane does not reveal itself.
 */
function admitted(request: FastifyRequest, adminToken: string | undefined): boolean {
  if (adminToken !== undefined) return bearerMatches(request.headers.authorization, adminToken);
  return isLoopback(request.socket.remoteAddress);
}

/** Reserved non-Graph prefixes whose features have not landed yet: plain 404, never a Graph answer. */
export async function reservedPaths(app: FastifyInstance): Promise<void> {
  for (const prefix of ['/__qr', '/__dashboard']) {
    app.all(prefix, async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
    app.all(`${prefix}/*`, async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
  }
}

/** `/__admin/…`: the control plane. This module holds the guard and the endpoints landed so far. */
export async function adminPlane(app: FastifyInstance, options: AdminPlaneOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (!admitted(request, options.adminToken)) return sendAdminError(reply, 404, 'not_found', 'Not found');
    return undefined;
  });
  // A catch-all inside the prefix: without it the Graph wildcard route would answer unknown admin paths.
  app.all('/', async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
  app.all('/*', async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    const message = status === 500 ? 'Internal error' : (error.message ?? 'Bad request');
    return sendAdminError(reply, status, 'validation_failed', message);
  });

  app.get('/cert-key', async (_request, reply) => {
    const publicKey = await certificatePublicKey(options.store);
    if (publicKey === undefined) return sendAdminError(reply, 404, 'not_found', 'No certificate key yet');
    return reply.send({ algorithm: 'Ed25519', public_key_pem: publicKey });
  });
}
