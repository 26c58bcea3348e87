import { randomInt } from 'node:crypto';
import type { CallbackClient } from './http-send.ts';

/** A random numeric challenge, as Meta sends one. */
export function newChallenge(): string {
  return String(randomInt(1_000_000_000, 2_147_483_647));
}

/** The URL of the verification GET: the callback with `hub.mode`, `hub.challenge`, `hub.verify_token`. */
export function verificationUrl(url: string, verifyToken: string, challenge: string): string {
  const target = new URL(url);
  target.searchParams.append('hub.mode', 'subscribe');
  target.searchParams.append('hub.challenge', challenge);
  target.searchParams.append('hub.verify_token', verifyToken);
  return target.toString();
}

/** The handshake: active only on a 200 whose body is exactly the challenge. */
export async function verifySubscription(
  client: CallbackClient,
  url: string,
  verifyToken: string,
  timeoutMs: number,
): Promise<boolean> {
  const challenge = newChallenge();
  try {
    const response = await client.send({
      method: 'GET',
      url: verificationUrl(url, verifyToken, challenge),
      headers: { 'User-Agent': 'facebookexternalua' },
      timeoutMs,
    });
    return response.status === 200 && response.body.toString('latin1') === challenge;
  } catch {
    return false;
  }
}
