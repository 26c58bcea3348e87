import { randomUUID } from 'node:crypto';
import type { NameDecision, WebhookField } from '../contract/lifecycle.ts';
import type { MessagingLimitTier, PhoneNumberStatus } from '../contract/phone-number.ts';
import type { AccountReviewStatus } from '../contract/waba.ts';
import type { AppRecord, OutboxEvent, PhoneNumberRecord, WabaRecord } from '../store/records.ts';

/** One event a change causes, before it is fanned out to the apps that receive it. */
export interface ChangeEvent {
  readonly field: WebhookField;
  readonly value: Record<string, unknown>;
}

/** What a status rule sees: the number before and after, and why it changed. */
export interface StatusChangeFacts {
  readonly before: PhoneNumberRecord;
  readonly after: PhoneNumberRecord;
  readonly at: Date;
  /** `deregister` → USER, `Deregistered via API`; the admin plane → SYSTEM; `register` only reconnects. */
  readonly via: 'admin' | 'register' | 'deregister';
  readonly reason: string | null;
}

const DAY_MS = 86_400_000;
export const RESTRICTION_DAYS = 30;
export const OPERATOR_DISCONNECT_REASON = 'Status changed by operator';
export const DEREGISTER_REASON = 'Deregistered via API';

/** Digits only, as webhook values carry phone numbers. */
export function digitsOf(display: string): string {
  return display.replace(/\D/g, '');
}

/** `YYYY-MM-DDTHH:MM:SS+0000` (UTC). */
export function metaTime(at: Date): string {
  return at.toISOString().slice(0, 19) + '+0000';
}

function accountUpdate(number: PhoneNumberRecord, extra: Record<string, unknown>): ChangeEvent {
  return {
    field: 'account_update',
    value: { phone_number: digitsOf(number.display_phone_number), ...extra },
  };
}

function qualityUpdate(number: PhoneNumberRecord, event: 'FLAGGED' | 'UNFLAGGED'): ChangeEvent {
  return {
    field: 'phone_number_quality_update',
    value: {
      display_phone_number: digitsOf(number.display_phone_number),
      event,
      current_limit: number.messaging_limit_tier,
      max_daily_conversations_per_business: number.messaging_limit_tier,
    },
  };
}

interface StatusRule {
  readonly from?: PhoneNumberStatus;
  readonly to: PhoneNumberStatus;
  readonly emit: (facts: StatusChangeFacts) => ChangeEvent;
}

/** The status rows of the event mapping table (webhooks.md § Events), as data. */
export const STATUS_EVENT_RULES: readonly StatusRule[] = [
  { to: 'FLAGGED', emit: ({ after }) => qualityUpdate(after, 'FLAGGED') },
  { from: 'FLAGGED', to: 'CONNECTED', emit: ({ after }) => qualityUpdate(after, 'UNFLAGGED') },
  {
    to: 'RESTRICTED',
    emit: ({ after, at }) =>
      accountUpdate(after, {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [
          {
            restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
            expiration: metaTime(new Date(at.getTime() + RESTRICTION_DAYS * DAY_MS)),
          },
        ],
      }),
  },
  {
    to: 'BANNED',
    emit: ({ after, at }) =>
      accountUpdate(after, {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: ['DISABLE'], waba_ban_date: at.toISOString().slice(0, 10) },
      }),
  },
  {
    to: 'DISCONNECTED',
    emit: ({ after, via, reason }) =>
      accountUpdate(after, {
        event: 'ACCOUNT_OFFBOARDED',
        disconnection_info:
          via === 'deregister'
            ? { reason: DEREGISTER_REASON, initiated_by: 'USER' }
            : { reason: reason ?? OPERATOR_DISCONNECT_REASON, initiated_by: 'SYSTEM' },
      }),
  },
  {
    from: 'DISCONNECTED',
    to: 'CONNECTED',
    emit: ({ after }) => accountUpdate(after, { event: 'ACCOUNT_RECONNECTED' }),
  },
  { to: 'DELETED', emit: ({ after }) => accountUpdate(after, { event: 'ACCOUNT_DELETED' }) },
  {
    from: 'PENDING',
    to: 'CONNECTED',
    emit: ({ after }) => accountUpdate(after, { event: 'VERIFIED_ACCOUNT' }),
  },
];

export function statusEvents(facts: StatusChangeFacts): ChangeEvent[] {
  return STATUS_EVENT_RULES.filter(
    (rule) =>
      rule.to === facts.after.status && (rule.from === undefined || rule.from === facts.before.status),
  ).map((rule) => rule.emit(facts));
}

export function tierEvent(
  number: PhoneNumberRecord,
  event: 'UPGRADE' | 'DOWNGRADE',
  oldLimit: MessagingLimitTier,
): ChangeEvent {
  return {
    field: 'phone_number_quality_update',
    value: {
      display_phone_number: digitsOf(number.display_phone_number),
      event,
      old_limit: oldLimit,
      current_limit: number.messaging_limit_tier,
      max_daily_conversations_per_business: number.messaging_limit_tier,
    },
  };
}

export function nameDecisionEvent(
  number: PhoneNumberRecord,
  decision: NameDecision,
  requestedName: string,
  rejectionReason: string | null,
): ChangeEvent {
  return {
    field: 'phone_number_name_update',
    value: {
      display_phone_number: digitsOf(number.display_phone_number),
      decision,
      requested_verified_name: requestedName,
      rejection_reason: decision === 'REJECTED' ? (rejectionReason ?? 'UNKNOWN') : null,
    },
  };
}

function receives(app: AppRecord, wabaId: string): boolean {
  return app.wabas === '*' || app.wabas.includes(wabaId);
}

/** `account_review_update` (webhooks.md): the WABA's review decision. */
export function accountReviewEvent(decision: AccountReviewStatus): ChangeEvent {
  return { field: 'account_review_update', value: { decision } };
}

/**
 * Fans a change's events out to every app installed on the WABA. An app without a subscription, or not
 * subscribed to the field, gets the event recorded as `skipped`. `subjectId` orders deliveries (one in
 * flight per app and subject): the number for a number's change, the WABA id for the WABA's own.
 */
function fanOut(
  subjectId: string,
  wabaId: string,
  events: readonly ChangeEvent[],
  apps: readonly AppRecord[],
  at: Date,
): OutboxEvent[] {
  const time = Math.floor(at.getTime() / 1000);
  const createdAt = at.toISOString();
  return events.flatMap((event) => {
    const payload = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: wabaId, time, changes: [{ value: event.value, field: event.field }] }],
    });
    return apps
      .filter((app) => receives(app, wabaId))
      .map((app) => ({
        event_id: randomUUID(),
        app_id: app.id,
        phone_number_id: subjectId,
        waba_id: wabaId,
        field: event.field,
        payload,
        status: app.webhook !== null && app.webhook.fields.includes(event.field) ? 'pending' : 'skipped',
        created_at: createdAt,
      }));
  });
}

/** A number's change events for every app installed on its WABA. */
export function outboxEvents(
  number: PhoneNumberRecord,
  events: readonly ChangeEvent[],
  apps: readonly AppRecord[],
  at: Date,
): OutboxEvent[] {
  return fanOut(number.id, number.waba_id, events, apps, at);
}

/** A WABA's own change events (`account_review_update`); the delivery log shows the WABA id as the number. */
export function wabaOutboxEvents(
  waba: WabaRecord,
  events: readonly ChangeEvent[],
  apps: readonly AppRecord[],
  at: Date,
): OutboxEvent[] {
  return fanOut(waba.id, waba.id, events, apps, at);
}
