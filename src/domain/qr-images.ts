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

  /**
   * A profile picture's URL path (phone-number.md §5.3, our choice): signed over the number and the
   * upload handle, so a new picture gets a new URL and a cleared one stops being served.
   */
  profilePicturePath(phoneNumberId: string, handle: string): string {
    return `/__qr/${this.token(profilePictureSubject(phoneNumberId, handle))}/profile-${phoneNumberId}.png`;
  }
}

export function profilePictureSubject(phoneNumberId: string, handle: string): string {
  return `profile:${phoneNumberId}:${handle}`;
}

/**
 * The image served for every uploaded profile picture: a real 64x64 PNG (a white disc on WhatsApp
 * green). phonegraph keeps no uploaded bytes; the handle only names the picture.
 */
export const PROFILE_PICTURE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAABaElEQVR4AdXBwbWjQAxFwcs7kwpaKS4UU8eFVopmIsCmP2BbVcu6b3QmmhPNieZEc6I50Zxo7h93Kx8cswxutaz7xh3KBzMsgzss675xQfngGsvgAnFB+eCy8sEFy7pvzCsf3M0ymCfmlQ8eUD6YJyaVDx5TPpgkZpQPHlY+mCFOKx98RPngNHFO+eCDygfniBPKBx9XPjhBNCfeKR98SfngHfFS+eCrygcvieZEc+JY+eAHlA+OieZEc+JA+eBnlA8OiOZEc6I50ZxoTjQnmhPNiebEAcvgZ1gGB0RzojlxzDL4AZbBMdGcaE68ZBl8lWXwknjHMvgSy+Ad0Zw4wTL4OMvgBHGOZfBBlsE54jTL4CMsg9PEDMvgYZbBDDHJMniMZTBJzLMMHmAZzFvWfeOvygd3sAz+SlxgGVxmGVywrPvGHcoHMyyDOyzrvnGr8sExy+BWy7pvdCaaE82J5kRzojnRnGjuP/V5YmtyckPhAAAAAElFTkSuQmCC',
  'base64',
);

export const QR_IMAGE_CONTENT_TYPES: Readonly<Record<QrImageFormat, string>> = {
  PNG: 'image/png',
  SVG: 'image/svg+xml',
};

/** A real QR code of the text: PNG bytes or SVG markup. */
export async function renderQrImage(text: string, format: QrImageFormat): Promise<Buffer> {
  if (format === 'SVG') return Buffer.from(await QRCode.toString(text, { type: 'svg', margin: 4 }));
  return QRCode.toBuffer(text, { type: 'png', margin: 4, scale: 8 });
}
