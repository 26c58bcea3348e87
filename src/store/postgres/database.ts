import pg from 'pg';
import { StoreUnavailableError } from '../store.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';

export type Row = Record<string, unknown>;

/** Runs one statement with `$n` parameters and answers its rows (on the pool or inside a transaction). */
export type Query = (text: string, values?: readonly unknown[]) => Promise<Row[]>;

/** Connection-level failures and contention the client may retry (Graph code 2); anything else is a bug. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03']);

export function asUnavailable(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const transient =
    (typeof code === 'string' &&
      (TRANSIENT_NODE_CODES.has(code) ||
        TRANSIENT_SQLSTATES.has(code) ||
        code.startsWith('08') ||
        code.startsWith('53'))) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    );
  return transient
    ? new StoreUnavailableError(`postgres: ${typeof code === 'string' ? code : message}`, { cause: error })
    : error;
}

/** `INSERT INTO table (columns) VALUES ($1…)` with the values of `row` in column order. */
export function insert(table: string, columns: readonly string[], row: Row): [string, unknown[]] {
  return [
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    columns.map((column) => row[column] ?? null),
  ];
}

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;

/**
 * Multi-row inserts of `rows` (as many rows per statement as the parameter limit allows), in order: a
 * bulk load's batch in a few round trips instead of one per row.
 */
export async function insertMany(
  query: Query,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = columns.map((column) => {
        values.push(row[column] ?? null);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/** Two-key advisory lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`). */
export const LOCKS = {
  /** Held for the whole of a migration run (session lock, one key). */
  migrations: 7_260_001,
  /** QR positions are server-wide: one creation at a time. */
  qrCodes: 7_260_002,
  /** Number creation checks digits across every number: one creation at a time. */
  phoneNumbers: 7_260_003,
  /** A whole-state replace: instances loading a scenario together apply one after the other. */
  state: 7_260_005,
  /** Per-number limited-call windows, second key = hash of window and number. */
  callWindows: 7_260_004,
} as const;

/** A pool with one-transaction-per-change helpers. */
export class Database {
  readonly #pool: pg.Pool;

  constructor(connectionString: string, max = 10) {
    this.#pool = new pg.Pool({ connectionString, max });
    // An idle client that loses its connection is dropped by the pool; the next query reports it.
    this.#pool.on('error', () => {});
  }

  readonly query: Query = async (text, values) => {
    try {
      return (await this.#pool.query<Row>(text, values as unknown[] | undefined)).rows;
    } catch (error) {
      throw asUnavailable(error);
    }
  };

  /** Runs `body` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(body: (query: Query) => Promise<T>, isolation = 'READ COMMITTED'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw asUnavailable(error);
    }
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await body(
        async (text, values) => (await client.query<Row>(text, values as unknown[])).rows,
      );
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw asUnavailable(error);
    } finally {
      client.release(broken);
    }
  }

  /**
   * Applies the migrations not yet applied, each in its own transaction, under a session advisory lock
   * so instances starting together apply each one once. Answers the schema version now in place.
   */
  async migrate(): Promise<number> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw asUnavailable(error);
    }
    try {
      await client.query('SELECT pg_advisory_lock($1)', [LOCKS.migrations]);
      try {
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
        );
        const done = await client.query<{ v: number | null }>(
          'SELECT MAX(version) AS v FROM schema_migrations',
        );
        const current = done.rows[0]?.v ?? 0;
        for (let version = current + 1; version <= POSTGRES_MIGRATIONS.length; version++) {
          await client.query('BEGIN');
          try {
            await client.query(POSTGRES_MIGRATIONS[version - 1]!);
            await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
        return Math.max(current, POSTGRES_MIGRATIONS.length);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [LOCKS.migrations]);
      }
    } catch (error) {
      throw asUnavailable(error);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
