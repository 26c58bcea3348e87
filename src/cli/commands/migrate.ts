import { Command } from 'commander';
import { examples, flag, type CommandContext } from '../command-tree.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { envName } from '../flags.ts';

/** `phonegraph migrate --postgres URL`: applies the PostgreSQL schema migrations without serving. */
export function migrateCommand(ctx: CommandContext): Command {
  const command = new Command('migrate')
    .description('apply pending schema migrations to a PostgreSQL store, then exit')
    .addOption(
      flag('--postgres <url>', 'the PostgreSQL database (postgres://user:password@host:5432/db)', {
        env: envName('postgres'),
      }),
    )
    .action(async (options: { postgres?: string }) => {
      const url = options.postgres ?? ctx.io.env[envName('postgres')];
      if (url === undefined || url === '') {
        throw new CliError(`--postgres <url> is required (or ${envName('postgres')})`, EXIT.usage);
      }
      // Loaded on use, as serve loads its modules.
      const { migratePostgres, redactedUrl } = await import('../postgres-connection.ts');
      const version = await migratePostgres(url);
      ctx.io.stdout(`schema version ${version} at ${redactedUrl(url)}\n`);
      ctx.exit(EXIT.ok);
    });
  return examples(command, ['phonegraph migrate --postgres postgres://phonegraph@127.0.0.1:5432/phonegraph']);
}
