import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { startPrivatePostgres, type PrivatePostgres } from './postgres-server.ts';

/** `PHONEGRAPH_TEST_STORE=postgres` runs the HTTP suites' helpers on PostgreSQL; anything else on SQLite. */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.PHONEGRAPH_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let cluster: Promise<PrivatePostgres> | undefined;

/**
 * A fresh empty store of the selected kind: an in-memory SQLite database, or a new database on one
 * private PostgreSQL cluster per test process (started on first use, gone when the process exits).
 */
export async function freshTestStore(): Promise<Store> {
  if (TEST_STORE === 'sqlite') return new SqliteStore({ path: ':memory:' });
  cluster ??= startPrivatePostgres({ background: true });
  const url = await (await cluster).createDatabase();
  return PostgresStore.open({ url, poolSize: 4 });
}
