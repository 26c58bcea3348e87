import type { QrCodeRecord } from '../records.ts';
import type { KeysetQuery } from '../store.ts';
import { insert, LOCKS, type Query } from './database.ts';
import { qrFromRow } from './rows.ts';

/** The last QR position handed out (`meta`), so positions stay increasing across deletes. */
export const QR_POSITION_META = 'qr_last_position';

export const QR_COLUMNS = ['code', 'phone_number_id', 'prefilled_message', 'position'] as const;

/** Raises the high-water mark of QR positions (never lowers it). */
export async function raiseQrPosition(query: Query, position: number): Promise<void> {
  await query(
    `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value =
       GREATEST(meta.value::bigint, excluded.value::bigint)::text`,
    [QR_POSITION_META, String(position)],
  );
}

export async function getQrCode(query: Query, code: string): Promise<QrCodeRecord | undefined> {
  const [row] = await query('SELECT * FROM qr_codes WHERE code = $1', [code]);
  return row && qrFromRow(row);
}

export async function listQrCodes(
  query: Query,
  phoneNumberId: string,
  keyset: KeysetQuery<number>,
  code?: string,
): Promise<QrCodeRecord[]> {
  // List order is newest first: toward the end means smaller positions.
  const older = keyset.toward === 'end';
  const values: unknown[] = [phoneNumberId];
  const conditions = ['phone_number_id = $1'];
  if (keyset.from !== null) {
    values.push(keyset.from);
    conditions.push(`position ${older ? '<' : '>'} $${values.length}`);
  }
  if (code !== undefined) {
    values.push(code);
    conditions.push(`code = $${values.length}`);
  }
  values.push(keyset.limit);
  const rows = await query(
    `SELECT * FROM qr_codes WHERE ${conditions.join(' AND ')}
     ORDER BY position ${older ? 'DESC' : 'ASC'} LIMIT $${values.length}`,
    values,
  );
  return rows.map(qrFromRow);
}

/**
 * Inside a transaction: positions are server-wide, so creations take one advisory lock in turn; the
 * count check and the next position are read under it and no two creations can see the same.
 */
export async function createQrCode(
  query: Query,
  record: Omit<QrCodeRecord, 'position'>,
  maxPerNumber: number,
): Promise<QrCodeRecord | 'limit'> {
  await query('SELECT pg_advisory_xact_lock($1)', [LOCKS.qrCodes]);
  const [count] = await query('SELECT COUNT(*) AS n FROM qr_codes WHERE phone_number_id = $1', [
    record.phone_number_id,
  ]);
  if (Number(count?.n) >= maxPerNumber) return 'limit';
  // Positions never repeat, even after the newest code is deleted, so a cursor never names two codes.
  const [next] = await query(
    `SELECT GREATEST(COALESCE((SELECT MAX(position) FROM qr_codes), 0),
                     COALESCE((SELECT value::bigint FROM meta WHERE key = $1), 0)) + 1 AS p`,
    [QR_POSITION_META],
  );
  const position = Number(next?.p);
  await raiseQrPosition(query, position);
  const created: QrCodeRecord = { ...record, position };
  await query(...insert('qr_codes', QR_COLUMNS, { ...created }));
  return created;
}

export async function updateQrCode(
  query: Query,
  phoneNumberId: string,
  code: string,
  prefilledMessage: string,
): Promise<QrCodeRecord | undefined> {
  const [row] = await query(
    'UPDATE qr_codes SET prefilled_message = $1 WHERE code = $2 AND phone_number_id = $3 RETURNING *',
    [prefilledMessage, code, phoneNumberId],
  );
  return row && qrFromRow(row);
}

export async function deleteQrCode(query: Query, phoneNumberId: string, code: string): Promise<boolean> {
  const rows = await query('DELETE FROM qr_codes WHERE code = $1 AND phone_number_id = $2 RETURNING code', [
    code,
    phoneNumberId,
  ]);
  return rows.length > 0;
}
