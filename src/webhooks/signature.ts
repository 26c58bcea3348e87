import { createHmac } from 'node:crypto';

/** `X-Hub-Signature-256`: `sha256=` + lowercase hex HMAC-SHA256(app secret, exact raw body bytes). */
export function hubSignature(secret: string, body: Buffer | string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}
