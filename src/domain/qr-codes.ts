import type { QrCodeRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { cryptoRandom, randomString, type RandomSource } from './scenario/seeded-random.ts';

/** phone-number.md §5.1. */
export const QR_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Our choice: codes per number. */
export const MAX_QR_CODES_PER_NUMBER = 2000;
/** Counted in Unicode code points. */
export const MAX_PREFILLED_MESSAGE = 140;
export const QR_IMAGE_FORMATS = ['SVG', 'PNG'] as const;
export type QrImageFormat = (typeof QR_IMAGE_FORMATS)[number];

export function deepLinkUrl(code: string): string {
  return `https://wa.me/message/${code}`;
}

/** 13 random `[A-Z2-7]` then `1`, as Meta's codes end. */
export function newQrCode(random: RandomSource = cryptoRandom()): string {
  return `${randomString(random, QR_CODE_ALPHABET, 13)}1`;
}

/** Case-insensitive (`png` is what clients send); undefined for anything else. */
export function qrImageFormat(value: string): QrImageFormat | undefined {
  const upper = value.toUpperCase();
  return QR_IMAGE_FORMATS.find((format) => format === upper);
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export type QrCreateResult = QrCodeRecord | 'limit';

/** Creates a code on a number; a code that happens to exist already is drawn again. */
export async function createQrCode(
  store: Store,
  phoneNumberId: string,
  message: string,
): Promise<QrCreateResult> {
  for (;;) {
    const code = newQrCode();
    if ((await store.getQrCode(code)) !== undefined) continue;
    return store.createQrCode(
      { code, phone_number_id: phoneNumberId, prefilled_message: message },
      MAX_QR_CODES_PER_NUMBER,
    );
  }
}
