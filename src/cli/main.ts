import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../domain/scenario/validate-scenario.ts';
import type { CommandIo } from './command-io.ts';
import { configureTree, type ExitSink } from './command-tree.ts';
import { adminCommand } from './commands/admin.ts';
import { certCommand } from './commands/cert.ts';
import { migrateCommand } from './commands/migrate.ts';
import { clientCommands } from './commands/client.ts';
import { openApiCommand } from './commands/openapi.ts';
import { scenarioCommand } from './commands/scenario.ts';
import { serveCommand } from './commands/serve.ts';
import { CliError, EXIT } from './exit-codes.ts';

/** The package's version (package.json sits two levels up from both src/cli/ and dist/cli/). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

const PROGRAM_HELP = `
Every serve flag also reads PHONEGRAPH_<FLAG> (e.g. PHONEGRAPH_PORT); a flag beats its env var.
Client commands read PHONEGRAPH_TOKEN and PHONEGRAPH_BASE_URL; admin commands PHONEGRAPH_ADMIN_TOKEN
and PHONEGRAPH_BASE_URL. "phonegraph COMMAND --help" shows a command's flags and an example.

Exit codes: 0 ok, 1 failed, 2 usage, 3 Graph error, 4 server unreachable, 5 admin API error.

Examples:
  $ phonegraph serve
  $ phonegraph status 400000000000101 --token EAAG-demo-acme-connect-token
  $ phonegraph admin faults add --code 2 --times 2
Docs: docs/cli.md
`;

/** The whole command tree; each action hands its exit code to `exit`. */
export function buildProgram(io: CommandIo, exit: ExitSink): Command {
  const ctx = { io, exit };
  const program = new Command('phonegraph')
    .description('a self-hostable WhatsApp Business phone-number Graph API: server, admin and client')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addCommand(serveCommand(ctx));
  for (const command of clientCommands(ctx)) program.addCommand(command);
  program
    .addCommand(migrateCommand(ctx))
    .addCommand(certCommand(ctx))
    .addCommand(scenarioCommand(ctx))
    .addCommand(adminCommand(ctx))
    .addCommand(openApiCommand(ctx))
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', PROGRAM_HELP);
  configureTree(program, io);
  return program;
}

/** Runs one command; expected failures become one `error: …` line and an exit code from the table. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr('error: no command given (phonegraph help lists them)\n');
    return EXIT.usage;
  }
  let code: number = EXIT.ok;
  const program = buildProgram(io, (exitCode) => (code = exitCode));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // Commander has already printed help, the version or its `error: …` line (with "did you mean").
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ScenarioError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`error: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failed;
  }
}

export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    fetch: globalThis.fetch,
  });
  process.exitCode = code;
}
