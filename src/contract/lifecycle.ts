import {
  MESSAGING_LIMIT_TIERS,
  PHONE_NUMBER_STATUSES,
  type MessagingLimitTier,
  type PhoneNumberStatus,
} from './phone-number.ts';

/** The status lifecycle (phone-number.md §4): from → allowed targets. `UNKNOWN` may go anywhere. */
export const STATUS_TRANSITIONS: Readonly<Record<PhoneNumberStatus, readonly PhoneNumberStatus[]>> = {
  PENDING: ['CONNECTED', 'UNVERIFIED', 'DELETED', 'UNKNOWN'],
  UNVERIFIED: ['PENDING', 'DELETED', 'UNKNOWN'],
  CONNECTED: [
    'FLAGGED',
    'RESTRICTED',
    'RATE_LIMITED',
    'DISCONNECTED',
    'BANNED',
    'MIGRATED',
    'DELETED',
    'UNKNOWN',
  ],
  FLAGGED: ['CONNECTED', 'RESTRICTED', 'BANNED', 'DISCONNECTED', 'DELETED', 'UNKNOWN'],
  RESTRICTED: ['CONNECTED', 'FLAGGED', 'BANNED', 'DELETED', 'UNKNOWN'],
  RATE_LIMITED: ['CONNECTED', 'BANNED', 'DELETED', 'UNKNOWN'],
  DISCONNECTED: ['CONNECTED', 'PENDING', 'MIGRATED', 'DELETED', 'UNKNOWN'],
  BANNED: ['CONNECTED', 'DELETED', 'UNKNOWN'],
  UNKNOWN: PHONE_NUMBER_STATUSES.filter((status) => status !== 'UNKNOWN'),
  MIGRATED: [],
  DELETED: [],
};

/** Fields an app may subscribe to that phonegraph emits (webhooks.md § Events). */
export const WEBHOOK_FIELDS = [
  'account_update',
  'phone_number_name_update',
  'phone_number_quality_update',
  'account_review_update',
] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

/** Tier order for UPGRADE / DOWNGRADE: the enum's own order, lowest first. */
export const TIER_ORDER: readonly MessagingLimitTier[] = MESSAGING_LIMIT_TIERS;

export const NAME_DECISIONS = ['APPROVED', 'REJECTED', 'DEFERRED'] as const;
export type NameDecision = (typeof NAME_DECISIONS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Who made a change, as history shows it. */
export type ChangeActor = 'admin' | 'scenario' | `graph:${string}`;
