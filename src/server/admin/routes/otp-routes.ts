import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

/** `GET /__admin/phone-numbers/{id}/otp`: the last code `request_code` issued, a test "SMS inbox". */
export function otpRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Params: { id: string } }>('/phone-numbers/:id/otp', async (request, reply) => {
    const otp = await deps.store.getOtp(request.params.id);
    if (otp === undefined) {
      return sendAdminError(reply, 404, 'not_found', `No code has been requested for ${request.params.id}`);
    }
    return reply.send({
      phone_number_id: otp.phone_number_id,
      code: otp.code,
      code_method: otp.code_method,
      issued_at: otp.issued_at,
    });
  });
}
