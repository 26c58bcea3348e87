import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { certificatePublicKey } from '../../domain/certificate-keys.ts';
import { verifyCertificate } from '../../domain/certificate.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { examples, flag, type CommandContext } from '../command-tree.ts';

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
async function verify(
  certificate: string,
  options: { db?: string; baseUrl?: string },
  io: CommandIo,
): Promise<number> {
  const { db, baseUrl } = options;
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

/** `phonegraph cert verify <certificate>`; its flags read no env vars. */
export function certCommand(ctx: CommandContext): Command {
  const verifyCommand = new Command('verify')
    .description('check a certificate / new_certificate value against the signing key')
    .argument('<certificate>', 'the base64 certificate value')
    .addOption(flag('--db <path>', 'read the key from this database (default: ./phonegraph.db if it exists)'))
    .addOption(flag('--base-url <url>', 'read the key from a running server (else http://127.0.0.1:8484)'))
    .action(async (certificate: string, options: { db?: string; baseUrl?: string }) =>
      ctx.exit(await verify(certificate, options, ctx.io)),
    );
  examples(verifyCommand, [
    'phonegraph cert verify "$CERT" --base-url http://127.0.0.1:8484',
    'phonegraph cert verify "$CERT" --db ./phonegraph.db',
  ]);
  return new Command('cert')
    .description('phonegraph certificates (the certificate field of a phone number)')
    .addCommand(verifyCommand);
}
