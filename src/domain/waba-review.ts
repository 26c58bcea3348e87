import type { AccountReviewStatus, BusinessVerificationStatus } from '../contract/waba.ts';
import type { WabaChange, WabaHistoryEntry, WabaRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { accountReviewEvent, wabaOutboxEvents, type ChangeEvent } from './events.ts';
import type { ChangeContext } from './lifecycle.ts';

export interface WabaReview {
  readonly account_review_status?: AccountReviewStatus;
  readonly business_verification_status?: BusinessVerificationStatus;
}

/** A WABA's planned review change: the WABA after it, its history lines and the events it causes. */
export interface PlannedWabaChange {
  readonly waba: WabaRecord;
  readonly history: readonly WabaHistoryEntry[];
  readonly events: readonly ChangeEvent[];
}

/**
 * A review decision (control-plane.md §3): each changed status is a history line of the WABA; a change
 * of `account_review_status` emits `account_review_update` with the decision. Null when nothing changes.
 */
export function planWabaReview(
  waba: WabaRecord,
  review: WabaReview,
  context: ChangeContext,
): PlannedWabaChange | null {
  let after = waba;
  const history: WabaHistoryEntry[] = [];
  const events: ChangeEvent[] = [];
  const line = (change: string, from: string, to: string): WabaHistoryEntry => ({
    waba_id: waba.id,
    at: context.at.toISOString(),
    actor: context.actor,
    change,
    from,
    to,
    reason: null,
  });
  const decision = review.account_review_status;
  if (decision !== undefined && decision !== waba.account_review_status) {
    after = { ...after, account_review_status: decision };
    history.push(line('account_review_status', waba.account_review_status, decision));
    events.push(accountReviewEvent(decision));
  }
  const verification = review.business_verification_status;
  if (verification !== undefined && verification !== waba.business_verification_status) {
    after = { ...after, business_verification_status: verification };
    history.push(line('business_verification_status', waba.business_verification_status, verification));
  }
  return history.length === 0 ? null : { waba: after, history, events };
}

/** Commits a planned WABA change: the row, its history and its outbox events in one transaction. */
export async function commitWabaChange(store: Store, change: PlannedWabaChange, at: Date): Promise<void> {
  const apps = change.events.length === 0 ? [] : await store.listApps();
  const committed: WabaChange = {
    waba: change.waba,
    history: [...change.history],
    events: wabaOutboxEvents(change.waba, change.events, apps, at),
  };
  await store.commitWabaChange(committed);
}
