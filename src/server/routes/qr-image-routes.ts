import type { FastifyInstance, FastifyReply } from 'fastify';
import { deepLinkUrl, qrImageFormat } from '../../domain/qr-codes.ts';
import {
  PROFILE_PICTURE_PNG,
  profilePictureSubject,
  QR_IMAGE_CONTENT_TYPES,
  QrImageSigner,
  renderQrImage,
} from '../../domain/qr-images.ts';
import type { Store } from '../../store/store.ts';
import { sendAdminError } from '../admin/admin-errors.ts';

const IMAGE_NAME = /^([A-Z2-7]{13}1)\.(png|svg)$/;
const PROFILE_PICTURE_NAME = /^profile-(\d{15,16})\.png$/;

function notFound(reply: FastifyReply): FastifyReply {
  return sendAdminError(reply, 404, 'not_found', 'Not found');
}

/**
 * `GET /__qr/{unguessable}/{code}.png|.svg` (phone-number.md §5.1): no token; the unguessable part is
 * checked against the code, and a deleted code's image is gone. Anything else under the prefix is 404.
 */
export async function qrImageRoutes(app: FastifyInstance, options: { store: Store }): Promise<void> {
  let signer: Promise<QrImageSigner> | undefined;
  app.get<{ Params: { token: string; name: string } }>('/__qr/:token/:name', async (request, reply) => {
    signer ??= QrImageSigner.fromStore(options.store);
    const picture = PROFILE_PICTURE_NAME.exec(request.params.name)?.[1];
    if (picture !== undefined) {
      // A profile picture (phone-number.md §5.3): signed over the number and its current handle.
      const handle = (await options.store.getBusinessProfile(picture))?.profile_picture_handle ?? null;
      if (
        handle === null ||
        !(await signer).verify(request.params.token, profilePictureSubject(picture, handle))
      )
        return notFound(reply);
      return reply
        .header('Content-Type', 'image/png')
        .header('Cache-Control', 'public, max-age=86400')
        .send(PROFILE_PICTURE_PNG);
    }
    const match = IMAGE_NAME.exec(request.params.name);
    const code = match?.[1];
    const format = qrImageFormat(match?.[2] ?? '');
    if (code === undefined || format === undefined) return notFound(reply);
    if (!(await signer).verify(request.params.token, code)) return notFound(reply);
    if ((await options.store.getQrCode(code)) === undefined) return notFound(reply);
    const image = await renderQrImage(deepLinkUrl(code), format);
    return reply
      .header('Content-Type', QR_IMAGE_CONTENT_TYPES[format])
      .header('Cache-Control', 'public, max-age=86400')
      .send(image);
  });
  app.all('/__qr', async (_request, reply) => notFound(reply));
  app.all('/__qr/*', async (_request, reply) => notFound(reply));
}
