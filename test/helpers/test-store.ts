import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { startPrivatePostgres, type PrivatePostgres } from './postgres-server.ts';

/** `PHONEGRAPH_TEST_STORE=postgres` runs the HTTP suites' helpers on PostgreSQL; anything else on SQLite. */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.PHONEGRAPH_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let cluster: Promise<PrivatePostgres> | undefined;

/** A new empty database on the one private PostgreSQL cluster of this test process (started on first use). */
async function freshPostgresUrl(): Promise<string> {
  cluster ??= startPrivatePostgres({ background: true });
  return (await cluster).createDatabase();
}

/**
 * A fresh empty store of the selected kind: an in-memory SQLite database, or a new database on one
 * private PostgreSQL cluster per test process (started on first use, gone when the process exits).
 */
export async function freshTestStore(): Promise<Store> {
  if (TEST_STORE === 'sqlite') return new SqliteStore({ path: ':memory:' });
  return PostgresStore.open({ url: await freshPostgresUrl(), poolSize: 4 });
}

/**
 * A fresh durable location of the selected kind (`sqlitePath`, a file the caller owns, or a new
 * PostgreSQL database); each `open()` opens a store on it, so a test can close one and reopen the state.
 */
export async function reopenableTestStore(sqlitePath: string): Promise<{ open(): Promise<Store> }> {
  if (TEST_STORE === 'sqlite') return { open: async () => new SqliteStore({ path: sqlitePath }) };
  const url = await freshPostgresUrl();
  return { open: () => PostgresStore.open({ url, poolSize: 4 }) };
}

/**
 * The `phonegraph serve` arguments that select a fresh store of the selected kind: `--db sqlitePath`, or
 * `--postgres URL` of a new database on the private cluster. Pass the same arguments again to restart on
 * the same state.
 */
export async function serveStoreArgs(sqlitePath: string): Promise<string[]> {
  if (TEST_STORE === 'sqlite') return ['--db', sqlitePath];
  return ['--postgres', await freshPostgresUrl()];
}
