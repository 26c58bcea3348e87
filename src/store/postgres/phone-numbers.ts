import type { HistoryEntry, OutboxEvent, PhoneNumberChange, PhoneNumberRecord } from '../records.ts';
import type { PhoneNumberQuery } from '../store.ts';
import { insert, LOCKS, type Query } from './database.ts';
import { PHONE_COLUMNS } from '../columns.ts';
import { historyFromRow, phoneNumberFromRow, phoneNumberToRow } from './rows.ts';

export async function getPhoneNumber(query: Query, id: string): Promise<PhoneNumberRecord | undefined> {
  const [row] = await query('SELECT * FROM phone_numbers WHERE id = $1', [id]);
  return row && phoneNumberFromRow(row);
}

export async function scanPhoneNumbers(
  query: Query,
  afterId: string | null,
  limit: number,
): Promise<PhoneNumberRecord[]> {
  const rows = await query('SELECT * FROM phone_numbers WHERE id > $1 ORDER BY id LIMIT $2', [
    afterId ?? '',
    limit,
  ]);
  return rows.map(phoneNumberFromRow);
}

export async function listWabaPhoneNumbers(
  query: Query,
  wabaId: string,
  list: PhoneNumberQuery,
): Promise<PhoneNumberRecord[]> {
  const column = list.sortBy;
  // Reading toward the end of a descending list walks to smaller keys.
  const smaller = list.toward === 'end' ? list.descending : !list.descending;
  const values: unknown[] = [wabaId];
  const conditions = ['waba_id = $1'];
  if (!list.includeDeleted) conditions.push("status <> 'DELETED'");
  for (const filter of list.equal) {
    values.push(filter.value);
    conditions.push(`${filter.column} = $${values.length}`);
  }
  if (list.from !== null) {
    values.push(list.from[0], list.from[1]);
    conditions.push(`(${column}, id) ${smaller ? '<' : '>'} ($${values.length - 1}, $${values.length})`);
  }
  values.push(list.limit);
  const direction = smaller ? 'DESC' : 'ASC';
  const rows = await query(
    `SELECT * FROM phone_numbers WHERE ${conditions.join(' AND ')}
     ORDER BY ${column} ${direction}, id ${direction} LIMIT $${values.length}`,
    values,
  );
  return rows.map(phoneNumberFromRow);
}

/**
 * Inside a transaction: the digits check spans every number, so creations take one advisory lock in
 * turn and two concurrent creations of the same digits cannot both pass it.
 */
export async function createPhoneNumber(
  query: Query,
  record: PhoneNumberRecord,
  digits: string,
): Promise<'created' | 'in_use'> {
  await query('SELECT pg_advisory_xact_lock($1)', [LOCKS.phoneNumbers]);
  const clash = await query(
    `SELECT 1 AS hit FROM phone_numbers WHERE status <> 'DELETED' AND
       translate(display_phone_number, '+ -()', '') = $1 LIMIT 1`,
    [digits],
  );
  if (clash.length > 0) return 'in_use';
  await query(...insert('phone_numbers', PHONE_COLUMNS, phoneNumberToRow(record)));
  return 'created';
}

export async function insertHistory(query: Query, entry: HistoryEntry): Promise<void> {
  await query(
    `INSERT INTO history (phone_number_id, at, actor, change, from_value, to_value, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [entry.phone_number_id, entry.at, entry.actor, entry.change, entry.from, entry.to, entry.reason],
  );
}

export async function insertOutboxEvent(query: Query, event: OutboxEvent): Promise<void> {
  await query(
    `INSERT INTO outbox (event_id, app_id, phone_number_id, waba_id, field, payload, status, attempts,
       next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`,
    [
      event.event_id,
      event.app_id,
      event.phone_number_id,
      event.waba_id,
      event.field,
      event.payload,
      event.status,
      event.status === 'pending' ? event.created_at : null,
      event.created_at,
    ],
  );
}

/** Inside a transaction: the number's row, its history lines and its outbox events. */
export async function commitPhoneNumberChange(query: Query, change: PhoneNumberChange): Promise<void> {
  const columns = PHONE_COLUMNS.filter((c) => c !== 'id');
  const row = phoneNumberToRow(change.number);
  await query(
    `UPDATE phone_numbers SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
    [row.id, ...columns.map((c) => row[c] ?? null)],
  );
  for (const entry of change.history) await insertHistory(query, entry);
  for (const event of change.events) await insertOutboxEvent(query, event);
}

export async function listHistory(query: Query, phoneNumberId: string): Promise<HistoryEntry[]> {
  const rows = await query('SELECT * FROM history WHERE phone_number_id = $1 ORDER BY id DESC', [
    phoneNumberId,
  ]);
  return rows.map(historyFromRow);
}
