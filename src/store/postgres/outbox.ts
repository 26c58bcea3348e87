import type { AttemptResult, DeliveryQuery, DeliveryRecord } from '../records.ts';
import type { Query, Row } from './database.ts';
import { attemptFromRow, deliveryFromRow } from './rows.ts';

/** The oldest pending event of each (app, number) whose next attempt is due at `now`: one in flight each. */
export async function dueDeliveries(query: Query, now: string, limit: number): Promise<DeliveryRecord[]> {
  const rows = await query(
    `SELECT o.* FROM (
       SELECT MIN(id) AS id FROM outbox WHERE status = 'pending' GROUP BY app_id, phone_number_id
     ) AS head JOIN outbox AS o ON o.id = head.id
     WHERE o.next_attempt_at <= $1 ORDER BY o.next_attempt_at, o.id LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => deliveryFromRow(row));
}

/**
 * Claims due events for `owner` until `leaseMs` from now (database time) and answers them: the oldest
 * pending event of each (app, number) only, and only when no other instance holds a live lease on it
 * (its own claims are renewed). Rows another instance is claiming at this moment are skipped
 * (`SKIP LOCKED`); the claim conditions are on the row itself, so PostgreSQL checks them again on the
 * latest version of a row that changed while the statement ran. One statement, so one transaction.
 */
export async function claimDeliveries(
  query: Query,
  now: string,
  limit: number,
  owner: string,
  leaseMs: number,
): Promise<DeliveryRecord[]> {
  const rows = await query(
    `UPDATE outbox SET claimed_by = $3, lease_until = clock_timestamp() + $4 * interval '1 millisecond'
     WHERE id IN (
       SELECT o.id FROM outbox AS o
       WHERE o.status = 'pending' AND o.next_attempt_at <= $1
         AND (o.claimed_by IS NULL OR o.claimed_by = $3 OR o.lease_until < clock_timestamp())
         AND NOT EXISTS (
           SELECT 1 FROM outbox AS older
           WHERE older.status = 'pending' AND older.app_id = o.app_id
             AND older.phone_number_id = o.phone_number_id AND older.id < o.id)
       ORDER BY o.next_attempt_at, o.id LIMIT $2
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, limit, owner, leaseMs],
  );
  return rows
    .map((row) => deliveryFromRow(row))
    .sort((a, b) => (a.next_attempt_at ?? '').localeCompare(b.next_attempt_at ?? '') || a.id - b.id);
}

/** Gives up every claim `owner` holds (a clean stop): another instance may send them at once. */
export async function releaseClaims(query: Query, owner: string): Promise<void> {
  await query('UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1', [owner]);
}

/**
 * Inside a transaction: attempt lines and new statuses; unknown rows are ignored. Two statements for the
 * whole batch (a round of deliveries), so a round costs the same few round trips however many it holds.
 */
export async function recordAttempts(query: Query, results: readonly AttemptResult[]): Promise<void> {
  if (results.length === 0) return;
  const ids = new Set(results.map((result) => result.outbox_id));
  if (ids.size < results.length) {
    // The same row twice: applied one after the other, as the batch would not.
    for (const result of results) await recordAttempts(query, [result]);
    return;
  }
  const attempts = results.flatMap((result) =>
    result.attempt === null ? [] : [{ ...result.attempt, id: result.outbox_id }],
  );
  if (attempts.length > 0) {
    await query(
      `INSERT INTO webhook_attempts (outbox_id, at, url, http_status, latency_ms, error)
       SELECT a.outbox_id, a.at, a.url, a.http_status, a.latency_ms, a.error
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[])
         WITH ORDINALITY AS a(outbox_id, at, url, http_status, latency_ms, error, n)
       WHERE EXISTS (SELECT 1 FROM outbox WHERE id = a.outbox_id) ORDER BY a.n`,
      [
        attempts.map((a) => a.id),
        attempts.map((a) => a.at),
        attempts.map((a) => a.url),
        attempts.map((a) => a.http_status),
        attempts.map((a) => a.latency_ms),
        attempts.map((a) => a.error),
      ],
    );
  }
  await query(
    `UPDATE outbox AS o SET status = r.status, attempts = o.attempts + r.counted,
       next_attempt_at = r.next_attempt_at, claimed_by = NULL, lease_until = NULL
     FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[]) AS r(id, status, counted, next_attempt_at)
     WHERE o.id = r.id`,
    [
      results.map((r) => r.outbox_id),
      results.map((r) => r.status),
      results.map((r) => (r.counted ? 1 : 0)),
      results.map((r) => r.next_attempt_at),
    ],
  );
}

async function withAttempts(query: Query, rows: Row[]): Promise<DeliveryRecord[]> {
  if (rows.length === 0) return [];
  const attempts = await query(
    'SELECT * FROM webhook_attempts WHERE outbox_id = ANY($1::bigint[]) ORDER BY id',
    [rows.map((row) => String(row.id))],
  );
  const byOutbox = new Map<string, Row[]>();
  for (const attempt of attempts) {
    const key = String(attempt.outbox_id);
    byOutbox.set(key, [...(byOutbox.get(key) ?? []), attempt]);
  }
  return rows.map((row) => deliveryFromRow(row, (byOutbox.get(String(row.id)) ?? []).map(attemptFromRow)));
}

export async function listDeliveries(query: Query, filter: DeliveryQuery): Promise<DeliveryRecord[]> {
  const rows = await query(
    `SELECT * FROM outbox WHERE ($1::text IS NULL OR phone_number_id = $1)
       AND ($2::text IS NULL OR status = $2) AND ($4::text IS NULL OR field = $4)
       ORDER BY id DESC LIMIT $3`,
    [filter.phone_number ?? null, filter.status ?? null, filter.limit, filter.field ?? null],
  );
  return withAttempts(query, rows);
}

export async function getDelivery(query: Query, id: number): Promise<DeliveryRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const rows = await query('SELECT * FROM outbox WHERE id = $1', [id]);
  return (await withAttempts(query, rows))[0];
}

export async function redeliver(query: Query, id: number, now: string): Promise<boolean> {
  if (!Number.isSafeInteger(id)) return false;
  const rows = await query(
    "UPDATE outbox SET status = 'pending', next_attempt_at = $1, claimed_by = NULL, lease_until = NULL WHERE id = $2 RETURNING id",
    [now, id],
  );
  return rows.length > 0;
}

export async function outboxLag(
  query: Query,
): Promise<{ pending: number; oldest_created_at: string | null }> {
  const [row] = await query(
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
  );
  return { pending: Number(row?.n ?? 0), oldest_created_at: (row?.oldest ?? null) as string | null };
}
