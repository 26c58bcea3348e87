import type { FastifyInstance } from 'fastify';
import { deepLinkUrl, MAX_QR_CODES_PER_NUMBER } from '../../../domain/qr-codes.ts';
import { QrImageSigner } from '../../../domain/qr-images.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

/**
 * `GET /__admin/phone-numbers/{id}/qr-codes` (docs/admin.md): the number's QR codes, newest first, with
 * the paths of their PNG and SVG images on this server (what the dashboard shows).
 */
export function qrCodeRoutes(app: FastifyInstance, deps: AdminDeps): void {
  let signer: Promise<QrImageSigner> | undefined;
  app.get<{ Params: { id: string } }>('/phone-numbers/:id/qr-codes', async (request, reply) => {
    const number = await deps.store.getPhoneNumber(request.params.id);
    if (number === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown phone number ${request.params.id}`);
    signer ??= QrImageSigner.fromStore(deps.store);
    const images = await signer;
    const codes = await deps.store.listQrCodes(number.id, {
      toward: 'end',
      from: null,
      limit: MAX_QR_CODES_PER_NUMBER,
    });
    return reply.send({
      data: codes.map((qr) => ({
        code: qr.code,
        prefilled_message: qr.prefilled_message,
        deep_link_url: deepLinkUrl(qr.code),
        image_png: images.path(qr.code, 'PNG'),
        image_svg: images.path(qr.code, 'SVG'),
      })),
    });
  });
}
