import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import type { Store } from '../store/store.ts';
import type { QrImageFormat } from './qr-codes.ts';

/** The `meta` key of the secret behind the unguessable part of image URLs. */
export const QR_IMAGE_KEY_META = 'qr_image_key';

/**
 * `/__qr/{unguessable}/{code}.png|.svg` (phone-number.md §5.1): the unguessable part is an HMAC of the
 * code under a secret kept in the store, so every instance serves every URL and nothing per image is
 * stored. Knowing a code (it is printed in the deep link) is not enough to fetch its image URL.
 */
export class QrImageSigner {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  static async fromStore(store: Store): Promise<QrImageSigner> {
    const hex = await store.initMeta(QR_IMAGE_KEY_META, randomBytes(32).toString('hex'));
    return new QrImageSigner(Buffer.from(hex, 'hex'));
  }

  token(code: string): string {
    return createHmac('sha256', this.#secret).update(code).digest().subarray(0, 18).toString('base64url');
  }

  verify(token: string, code: string): boolean {
    const expected = Buffer.from(this.token(code));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  path(code: string, format: QrImageFormat): string {
    return `/__qr/${this.token(code)}/${code}.${format.toLowerCase()}`;
  }
}

export const QR_IMAGE_CONTENT_TYPES: Readonly<Record<QrImageFormat, string>> = {
  PNG: 'image/png',
  SVG: 'image/svg+xml',
};

/** A real QR code of the text: PNG bytes or SVG markup. */
export async function renderQrImage(text: string, format: QrImageFormat): Promise<Buffer> {
  if (format === 'SVG') return Buffer.from(await QRCode.toString(text, { type: 'svg', margin: 4 }));
  return QRCode.toBuffer(text, { type: 'png', margin: 4, scale: 8 });
}
