import type { FastifyInstance } from 'fastify';
import { certificatePublicKey } from '../../../domain/certificate-keys.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

/** `GET /__admin/cert-key`: the public key that verifies `certificate` values (phone-number.md §7). */
export function certKeyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/cert-key', async (_request, reply) => {
    const publicKey = await certificatePublicKey(deps.store);
    if (publicKey === undefined) return sendAdminError(reply, 404, 'not_found', 'No certificate key yet');
    return reply.send({ algorithm: 'Ed25519', public_key_pem: publicKey });
  });
}
