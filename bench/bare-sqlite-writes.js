// The baseline of the write benchmark: a bare better-sqlite3 loop doing, on a copy of phonegraph's own
// database file with phonegraph's pragmas, the transaction a change commits, as fast as it can.
//   --op status  UPDATE one phone_numbers row + N history rows + M outbox rows (N, M measured from
//                phonegraph's own change by bench/performance.js), like SqliteStore.commitPhoneNumberChange
//   --op qr      count the number's codes, read the highest position, raise the meta position and
//                INSERT the code, like SqliteStore.createQrCode
// Usage: node bench/bare-sqlite-writes.js --db FILE --op status|qr --seconds S --ids FILE
//        [--history 1] [--outbox 1]
// Prints one line of JSON: { "transactions": n, "seconds": s }.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    op: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    ids: { type: 'string' },
    history: { type: 'string', default: '1' },
    outbox: { type: 'string', default: '1' },
  },
});
const ids = JSON.parse(readFileSync(values.ids, 'utf8'));
const db = new Database(values.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -65536');
db.pragma('mmap_size = 268435456');

const historyRows = Number(values.history);
const outboxRows = Number(values.outbox);
const update = db.prepare('UPDATE phone_numbers SET status = ? WHERE id = ?');
const history = db.prepare(
  `INSERT INTO history (phone_number_id, at, actor, change, from_value, to_value, reason)
   VALUES (?, ?, 'admin', 'status', ?, ?, NULL)`,
);
const outbox = db.prepare(
  `INSERT INTO outbox (event_id, app_id, phone_number_id, waba_id, field, payload, status, attempts,
     next_attempt_at, created_at)
   VALUES (?, '1000000000000001', ?, '3000000000000001', 'account_update', ?, 'skipped', 0, NULL, ?)`,
);
const statusChange = db.transaction((id, from, to, at) => {
  update.run(to, id);
  for (let i = 0; i < historyRows; i += 1) history.run(id, at, from, to);
  for (let i = 0; i < outboxRows; i += 1) {
    const payload = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '3000000000000001',
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              value: { phone_number: '15550000001', event: to === 'FLAGGED' ? 'FLAGGED' : 'UNFLAGGED' },
              field: 'account_update',
            },
          ],
        },
      ],
    });
    outbox.run(randomUUID(), id, payload, at);
  }
});

const count = db.prepare('SELECT COUNT(*) AS n FROM qr_codes WHERE phone_number_id = ?');
const lastPosition = db.prepare(
  "SELECT CAST(value AS INTEGER) AS p FROM meta WHERE key = 'qr_last_position'",
);
const maxPosition = db.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM qr_codes');
const raise = db.prepare(
  `INSERT INTO meta (key, value) VALUES ('qr_last_position', @value) ON CONFLICT(key) DO UPDATE SET value =
     CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
);
const insertQr = db.prepare(
  'INSERT INTO qr_codes (code, phone_number_id, prefilled_message, position) VALUES (?, ?, ?, ?)',
);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const qrCreate = db.transaction((id) => {
  if (count.get(id).n >= 2000) return;
  const position = (lastPosition.get()?.p ?? maxPosition.get().p) + 1;
  raise.run({ value: String(position) });
  const code = `${Array.from(randomBytes(13), (byte) => ALPHABET[byte & 31]).join('')}1`;
  insertQr.run(code, id, 'Bench QR', position);
});

const status = new Map();
const deadline = performance.now() + Number(values.seconds) * 1000;
let transactions = 0;
const started = performance.now();
while (performance.now() < deadline) {
  const id = ids[transactions % ids.length];
  if (values.op === 'qr') qrCreate(id);
  else {
    const from = status.get(id) ?? 'CONNECTED';
    const to = from === 'CONNECTED' ? 'FLAGGED' : 'CONNECTED';
    status.set(id, to);
    statusChange(id, from, to, new Date().toISOString());
  }
  transactions += 1;
}
const seconds = (performance.now() - started) / 1000;
db.close();
process.stdout.write(`${JSON.stringify({ transactions, seconds })}\n`);
