import { STATUS_TRANSITIONS, TIER_ORDER, type NameDecision } from '../contract/lifecycle.ts';
import type {
  MessagingLimitTier,
  NameStatus,
  PhoneNumberStatus,
  QualityScoreValue,
} from '../contract/phone-number.ts';
import type { HistoryEntry, PhoneNumberRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { issueCertificate } from './certificate.ts';
import { ensureCertificateKeys } from './certificate-keys.ts';
import {
  nameDecisionEvent,
  outboxEvents,
  statusEvents,
  tierEvent,
  type ChangeEvent,
  type StatusChangeFacts,
} from './events.ts';

/** A change as plain data: the number after it, its history lines and the events it causes. */
export interface PlannedChange {
  readonly number: PhoneNumberRecord;
  readonly history: readonly HistoryEntry[];
  readonly events: readonly ChangeEvent[];
}

/** Why a change was refused: the transition is out of the table. */
export interface RefusedTransition {
  readonly refused: true;
  readonly allowed: readonly PhoneNumberStatus[];
}

export interface ChangeContext {
  readonly actor: string;
  readonly at: Date;
}

function line(
  number: PhoneNumberRecord,
  context: ChangeContext,
  change: string,
  from: string | null,
  to: string | null,
  reason: string | null,
): HistoryEntry {
  return {
    phone_number_id: number.id,
    at: context.at.toISOString(),
    actor: context.actor,
    change,
    from,
    to,
    reason,
  };
}

export function allowedTargets(from: PhoneNumberStatus): readonly PhoneNumberStatus[] {
  return STATUS_TRANSITIONS[from];
}

/**
 * A status change. Setting the current status again is no change (null); a target out of the table is
 * refused unless `force`, and a forced change still emits the table's events.
 */
export function planStatusChange(
  number: PhoneNumberRecord,
  to: PhoneNumberStatus,
  options: ChangeContext & { reason: string | null; force: boolean; via: StatusChangeFacts['via'] },
): PlannedChange | RefusedTransition | null {
  if (number.status === to) return null;
  const allowed = allowedTargets(number.status);
  if (!allowed.includes(to) && !options.force) return { refused: true, allowed };
  const after: PhoneNumberRecord = { ...number, status: to };
  return {
    number: after,
    history: [line(number, options, 'status', number.status, to, options.reason)],
    events: statusEvents({ before: number, after, at: options.at, via: options.via, reason: options.reason }),
  };
}

const DECIDED_STATUS: Readonly<Record<NameDecision, NameStatus>> = {
  APPROVED: 'APPROVED',
  REJECTED: 'DECLINED',
  DEFERRED: 'PENDING_REVIEW',
};

export class NameReviewError extends Error {}

/**
 * A name review decision on the current name (`which: current`) or the requested new one (`new`).
 * Approval issues a certificate for the name: `certificate` (and `verified_name`) for the current name,
 * `new_certificate` for a new one. Every decision is a change that emits `phone_number_name_update`,
 * except one that leaves the status as it is and is not DEFERRED.
 */
export function planNameReview(
  number: PhoneNumberRecord,
  review: { decision: NameDecision; rejection_reason: string | null; which: 'current' | 'new' },
  context: ChangeContext,
  issue: (name: string) => string,
): PlannedChange | null {
  const to = DECIDED_STATUS[review.decision];
  const reason = review.decision === 'REJECTED' ? (review.rejection_reason ?? 'UNKNOWN') : review.decision;
  if (review.which === 'current') {
    if (number.name_status === to && review.decision !== 'DEFERRED') return null;
    const after: PhoneNumberRecord = {
      ...number,
      name_status: to,
      certificate: review.decision === 'APPROVED' ? issue(number.verified_name) : number.certificate,
    };
    return {
      number: after,
      history: [line(number, context, 'name_status', number.name_status, to, reason)],
      events: [nameDecisionEvent(after, review.decision, number.verified_name, review.rejection_reason)],
    };
  }
  const requested = number.requested_verified_name;
  if (requested === null) throw new NameReviewError('no new name has been requested for this number');
  if (number.new_name_status === to && review.decision !== 'DEFERRED') return null;
  const after: PhoneNumberRecord = {
    ...number,
    new_name_status: to,
    new_certificate: review.decision === 'APPROVED' ? issue(requested) : null,
  };
  return {
    number: after,
    history: [line(number, context, 'new_name_status', number.new_name_status, to, reason)],
    events: [nameDecisionEvent(after, review.decision, requested, review.rejection_reason)],
  };
}

/** A new display name request: `new_name_status` becomes PENDING_REVIEW; no event until decided. */
export function planNewName(
  number: PhoneNumberRecord,
  name: string,
  context: ChangeContext,
): PlannedChange | null {
  if (number.requested_verified_name === name && number.new_name_status === 'PENDING_REVIEW') return null;
  return {
    number: {
      ...number,
      requested_verified_name: name,
      new_name_status: 'PENDING_REVIEW',
      new_certificate: null,
    },
    history: [line(number, context, 'new_name', number.requested_verified_name, name, null)],
    events: [],
  };
}

/**
 * A quality change: the score (the rating is derived from it, so both stay consistent) and/or the
 * messaging limit tier (UPGRADE / DOWNGRADE).
 */
export function planQuality(
  number: PhoneNumberRecord,
  quality: { score?: QualityScoreValue; reasons?: readonly string[]; tier?: MessagingLimitTier },
  context: ChangeContext,
): PlannedChange | null {
  let after = number;
  const history: HistoryEntry[] = [];
  const events: ChangeEvent[] = [];
  if (quality.score !== undefined) {
    const reasons = [...(quality.reasons ?? [])];
    const same =
      number.quality_score.score === quality.score &&
      JSON.stringify(number.quality_score.reasons) === JSON.stringify(reasons);
    if (!same) {
      after = {
        ...after,
        quality_score: { score: quality.score, date: Math.floor(context.at.getTime() / 1000), reasons },
      };
      history.push(
        line(
          number,
          context,
          'quality_score',
          number.quality_score.score,
          quality.score,
          reasons.join(', ') || null,
        ),
      );
    }
  }
  if (quality.tier !== undefined && quality.tier !== number.messaging_limit_tier) {
    after = { ...after, messaging_limit_tier: quality.tier };
    const up = TIER_ORDER.indexOf(quality.tier) > TIER_ORDER.indexOf(number.messaging_limit_tier);
    history.push(
      line(number, context, 'messaging_limit_tier', number.messaging_limit_tier, quality.tier, null),
    );
    events.push(tierEvent(after, up ? 'UPGRADE' : 'DOWNGRADE', number.messaging_limit_tier));
  }
  return history.length === 0 ? null : { number: after, history, events };
}

/**
 * Commits a planned change: the number, its history and its outbox events in one store transaction.
 * True when an event waits for delivery: only then has the webhook dispatcher anything new to do.
 */
export async function commitChange(store: Store, change: PlannedChange, at: Date): Promise<boolean> {
  const apps = change.events.length === 0 ? [] : await store.listApps();
  const events = outboxEvents(change.number, change.events, apps, at);
  await store.commitPhoneNumberChange({ number: change.number, history: [...change.history], events });
  return events.some((event) => event.status === 'pending');
}

/** Issues certificates with the server's key for name approvals. */
export async function certificateIssuer(
  store: Store,
  number: PhoneNumberRecord,
  at: Date,
): Promise<(name: string) => string> {
  const keys = await ensureCertificateKeys(store);
  const issuedAt = Math.floor(at.getTime() / 1000);
  return (name) =>
    issueCertificate({ phoneNumber: number.display_phone_number, name, issuedAt }, keys.privateKeyPem);
}

/** Statuses `register` moves to CONNECTED (phone-number.md §5.2); both need a verified code. */
const REGISTRABLE: readonly PhoneNumberStatus[] = ['PENDING', 'DISCONNECTED'];
/** Statuses `deregister` moves to DISCONNECTED; some are outside the admin transition table, so forced. */
const DEREGISTRABLE: readonly PhoneNumberStatus[] = ['CONNECTED', 'FLAGGED', 'RESTRICTED', 'RATE_LIMITED'];

/** Why a lifecycle edge refused a number in its current state. */
export type EdgeRefusal = { readonly refused: 'must_verify' } | { readonly refused: 'status' };

/** History lines for plain field changes that ride along a status change, one per changed field. */
function fieldLines(
  before: PhoneNumberRecord,
  after: PhoneNumberRecord,
  fields: readonly ('platform_type' | 'is_pin_enabled' | 'code_verification_status')[],
  context: ChangeContext,
): HistoryEntry[] {
  return fields
    .filter((field) => before[field] !== after[field])
    .map((field) => line(before, context, field, String(before[field]), String(after[field]), null));
}

/** `verify_code` with the right code: `code_verification_status` → VERIFIED; null when it already is. */
export function planCodeVerified(number: PhoneNumberRecord, context: ChangeContext): PlannedChange | null {
  if (number.code_verification_status === 'VERIFIED') return null;
  const after: PhoneNumberRecord = { ...number, code_verification_status: 'VERIFIED' };
  return {
    number: after,
    history: fieldLines(number, after, ['code_verification_status'], context),
    events: [],
  };
}

/**
 * `register`: PENDING or DISCONNECTED with a verified code → CONNECTED on the Cloud API with the PIN
 * set; already CONNECTED is no change (null). `pinHash` is the sent PIN's hash when the number has no
 * PIN stored yet (it takes the one sent); the caller has already refused a PIN that does not match.
 */
export function planRegister(
  number: PhoneNumberRecord,
  context: ChangeContext,
  pinHash: string | null = null,
): PlannedChange | EdgeRefusal | null {
  if (number.status === 'CONNECTED') return pinHash === null ? null : planPin(number, pinHash, context);
  if (!REGISTRABLE.includes(number.status)) return { refused: 'status' };
  if (number.code_verification_status !== 'VERIFIED') return { refused: 'must_verify' };
  const change = withStatus(
    number,
    'CONNECTED',
    { platform_type: 'CLOUD_API', is_pin_enabled: true },
    'register',
    context,
  );
  if (pinHash === null) return change;
  return {
    ...change,
    number: { ...change.number, pin_hash: pinHash },
    history: [...change.history, pinLine(number, context)],
  };
}

/** The history line of a stored PIN: never the PIN or its hash. */
function pinLine(number: PhoneNumberRecord, context: ChangeContext): HistoryEntry {
  return line(number, context, 'two_step_pin', number.pin_hash === null ? null : 'set', 'set', null);
}

/** Stores a new two-step PIN hash (`is_pin_enabled` true). */
export function planPin(number: PhoneNumberRecord, pinHash: string, context: ChangeContext): PlannedChange {
  const after: PhoneNumberRecord = { ...number, pin_hash: pinHash, is_pin_enabled: true };
  return {
    number: after,
    history: [...fieldLines(number, after, ['is_pin_enabled'], context), pinLine(number, context)],
    events: [],
  };
}

/** `deregister`: → DISCONNECTED off the Cloud API; already DISCONNECTED is no change (null). */
export function planDeregister(
  number: PhoneNumberRecord,
  context: ChangeContext,
): PlannedChange | EdgeRefusal | null {
  if (number.status === 'DISCONNECTED') return null;
  if (!DEREGISTRABLE.includes(number.status)) return { refused: 'status' };
  return withStatus(number, 'DISCONNECTED', { platform_type: 'NOT_APPLICABLE' }, 'deregister', context);
}

function withStatus(
  number: PhoneNumberRecord,
  to: PhoneNumberStatus,
  fields: Partial<Pick<PhoneNumberRecord, 'platform_type' | 'is_pin_enabled'>>,
  via: StatusChangeFacts['via'],
  context: ChangeContext,
): PlannedChange {
  const status = planStatusChange(number, to, { ...context, reason: null, force: true, via });
  // `to` differs from the current status, and a forced change is never refused.
  if (status === null || 'refused' in status) throw new Error(`no status change ${number.status} → ${to}`);
  const after: PhoneNumberRecord = { ...status.number, ...fields };
  return {
    number: after,
    history: [...status.history, ...fieldLines(number, after, ['platform_type', 'is_pin_enabled'], context)],
    events: statusEvents({ before: number, after, at: context.at, via, reason: null }),
  };
}

/** What `POST /{v}/{phone}` (v14.0+) may set; `override` null removes the number's webhook override. */
export interface NodeSettings {
  /** The hash of the PIN sent (phone-number.md intro): replaces the stored one. */
  readonly pinHash?: string;
  readonly override?: { readonly url: string; readonly verify_token: string } | null;
  /** A display-name change request, as the admin plane's new-name request. */
  readonly newDisplayName?: string;
}

/**
 * The node's settings. A new or changed override starts unverified (the dispatcher verifies it as it
 * does an app subscription); the same URL and token again keep its state. Null when nothing changes.
 */
export function planNodeSettings(
  number: PhoneNumberRecord,
  settings: NodeSettings,
  context: ChangeContext,
): PlannedChange | null {
  let after = number;
  const history: HistoryEntry[] = [];
  if (settings.pinHash !== undefined) {
    const pin = planPin(number, settings.pinHash, context);
    after = pin.number;
    history.push(...pin.history);
  }
  const override = settings.override;
  const old = number.webhook_override;
  if (override === null && old !== null) {
    after = { ...after, webhook_override: null };
    history.push(line(number, context, 'webhook_override', old.url, null, null));
  } else if (
    override !== undefined &&
    override !== null &&
    (old === null || old.url !== override.url || old.verify_token !== override.verify_token)
  ) {
    after = { ...after, webhook_override: { ...override, state: 'pending_verification' } };
    history.push(line(number, context, 'webhook_override', old?.url ?? null, override.url, null));
  }
  if (settings.newDisplayName !== undefined) {
    const renamed = planNewName(after, settings.newDisplayName, context);
    if (renamed !== null) {
      after = renamed.number;
      history.push(...renamed.history);
    }
  }
  return history.length === 0 ? null : { number: after, history, events: [] };
}
