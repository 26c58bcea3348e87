import { existsSync } from 'node:fs';
import { certificatePublicKey } from '../../domain/certificate-keys.ts';
import { verifyCertificate } from '../../domain/certificate.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { parseFlags } from '../flags.ts';

const CERT_OPTIONS = { db: { type: 'string' }, 'base-url': { type: 'string' } } as const;

export const CERT_USAGE = 'phonegraph cert verify <certificate> [--db PATH | --base-url URL]';

async function keyFromDb(path: string): Promise<string> {
  if (!existsSync(path)) throw new CliError(`database ${path} does not exist`, EXIT.usage);
  const store = new SqliteStore({ path });
  try {
    const key = await certificatePublicKey(store);
    if (key === undefined) throw new CliError(`database ${path} has no certificate key`, EXIT.failed);
    return key;
  } finally {
    await store.close();
  }
}

async function keyFromServer(baseUrl: string, io: CommandIo): Promise<string> {
  let response: Response;
  try {
    response = await io.fetch(new URL('/__admin/cert-key', baseUrl));
  } catch (error) {
    throw new CliError(`cannot reach ${baseUrl}: ${(error as Error).message}`, EXIT.network);
  }
  const body = (await response.json().catch(() => undefined)) as { public_key_pem?: unknown } | undefined;
  if (!response.ok || typeof body?.public_key_pem !== 'string') {
    throw new CliError(`${baseUrl} did not return a certificate key (HTTP ${response.status})`, EXIT.failed);
  }
  return body.public_key_pem;
}

/** Checks a `certificate` value against the signing key of a database or a running server. */
export async function certCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new CliError(`usage: ${CERT_USAGE}`, EXIT.usage);
  const { values, positionals } = parseFlags(rest, CERT_OPTIONS, io.env, false);
  const certificate = positionals[0];
  if (certificate === undefined || positionals.length > 1)
    throw new CliError(`usage: ${CERT_USAGE}`, EXIT.usage);
  const db = typeof values.db === 'string' ? values.db : undefined;
  const baseUrl = typeof values['base-url'] === 'string' ? values['base-url'] : undefined;
  if (db !== undefined && baseUrl !== undefined)
    throw new CliError('give --db or --base-url, not both', EXIT.usage);
  const key =
    baseUrl !== undefined
      ? await keyFromServer(baseUrl, io)
      : db !== undefined || existsSync('./phonegraph.db')
        ? await keyFromDb(db ?? './phonegraph.db')
        : await keyFromServer('http://127.0.0.1:8484', io);
  const check = verifyCertificate(certificate, key);
  if (!check.valid) throw new CliError(`invalid certificate: ${check.reason}`, EXIT.failed);
  const { phoneNumber, name, issuedAt } = check.content;
  io.stdout(
    `valid certificate: phone number ${phoneNumber}, name ${JSON.stringify(name)}, issued ${new Date(issuedAt * 1000).toISOString()}\n`,
  );
  return EXIT.ok;
}
