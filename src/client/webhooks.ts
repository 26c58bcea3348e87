import type { MessagingLimitTier } from '../contract/phone-number.ts';
import { hmacSha256Hex } from './graph-client.ts';

/** Constant-time comparison of two strings (the time depends only on their lengths). */
function timingSafeEqualStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256(appSecret, exact raw body bytes)>`). Pass the
 * body exactly as received: a re-serialized JSON object will not match.
 */
export async function verifySignature(
  rawBody: string | Uint8Array,
  header: string | readonly string[] | null | undefined,
  appSecret: string,
): Promise<boolean> {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length).toLowerCase();
  const expected = await hmacSha256Hex(appSecret, rawBody);
  return timingSafeEqualStrings(given, expected);
}

type QueryLike = URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

function queryValue(query: QueryLike, name: string): string | undefined {
  if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
  const value = query[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * The subscription handshake: returns the `hub.challenge` to answer with (status 200, the bare
 * challenge as the body) when `hub.mode` is `subscribe` and `hub.verify_token` matches; else `undefined`
 * (answer 403).
 */
export function verificationChallenge(query: QueryLike, verifyToken: string): string | undefined {
  const mode = queryValue(query, 'hub.mode');
  const token = queryValue(query, 'hub.verify_token');
  const challenge = queryValue(query, 'hub.challenge');
  if (mode !== 'subscribe' || token === undefined || challenge === undefined) return undefined;
  return timingSafeEqualStrings(token, verifyToken) ? challenge : undefined;
}

export interface PhoneNumberNameUpdate {
  display_phone_number: string;
  decision: 'APPROVED' | 'REJECTED' | 'DEFERRED';
  requested_verified_name: string;
  rejection_reason: string | null;
}

export type PhoneNumberQualityUpdate =
  | {
      display_phone_number: string;
      event: 'FLAGGED' | 'UNFLAGGED';
      current_limit: MessagingLimitTier;
      max_daily_conversations_per_business: MessagingLimitTier;
    }
  | {
      display_phone_number: string;
      event: 'UPGRADE' | 'DOWNGRADE';
      old_limit: MessagingLimitTier;
      current_limit: MessagingLimitTier;
      max_daily_conversations_per_business: MessagingLimitTier;
    };

export type AccountUpdate =
  | {
      phone_number: string;
      event: 'ACCOUNT_RESTRICTION';
      restriction_info: { restriction_type: string; expiration: string }[];
    }
  | {
      phone_number: string;
      event: 'DISABLED_UPDATE';
      ban_info: { waba_ban_state: string[]; waba_ban_date: string };
    }
  | {
      phone_number: string;
      event: 'ACCOUNT_OFFBOARDED';
      disconnection_info: { reason: string; initiated_by: 'USER' | 'SYSTEM' };
    }
  | { phone_number: string; event: 'ACCOUNT_RECONNECTED' | 'ACCOUNT_DELETED' | 'VERIFIED_ACCOUNT' };

/** One change of a delivery, discriminated on `field`. */
export type WebhookChange =
  | { field: 'phone_number_name_update'; value: PhoneNumberNameUpdate }
  | { field: 'phone_number_quality_update'; value: PhoneNumberQualityUpdate }
  | { field: 'account_update'; value: AccountUpdate };

export interface WebhookEntry {
  /** The WABA id. */
  id: string;
  /** Unix seconds of the change. */
  time: number;
  changes: WebhookChange[];
}

export interface WebhookPayload {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

/** Parses a delivery body (after `verifySignature`); throws a `TypeError` when it is not one. */
export function parseWebhookPayload(rawBody: string | Uint8Array): WebhookPayload {
  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const parsed = JSON.parse(text) as Partial<WebhookPayload>;
  if (parsed.object !== 'whatsapp_business_account' || !Array.isArray(parsed.entry))
    throw new TypeError('Not a whatsapp_business_account webhook payload');
  return parsed as WebhookPayload;
}
