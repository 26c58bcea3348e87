import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { CliError, EXIT } from './exit-codes.ts';

/** The URL as messages show it: a password in it is replaced by `***`. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function checkedUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(
      '--postgres must be a URL like postgres://user:password@host:5432/database',
      EXIT.usage,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new CliError(`--postgres must be a postgres:// URL, got ${parsed.protocol}//…`, EXIT.usage);
  }
}

function unreachable(url: string, error: unknown): CliError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return new CliError(
    `cannot use PostgreSQL at ${redactedUrl(url)}: ${(cause as Error).message}`,
    EXIT.network,
  );
}

/** Connects and applies pending migrations; a bad URL is a usage error, an unreachable server a network one. */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  checkedUrl(url);
  try {
    return await PostgresStore.open({ url });
  } catch (error) {
    throw unreachable(url, error);
  }
}

/** `phonegraph migrate`: applies pending migrations and answers the schema version. */
export async function migratePostgres(url: string): Promise<number> {
  checkedUrl(url);
  try {
    return await PostgresStore.migrate(url);
  } catch (error) {
    throw unreachable(url, error);
  }
}
