import { ScenarioError } from '../domain/scenario/validate-scenario.ts';
import type { CommandIo } from './command-io.ts';
import { ADMIN_USAGE, adminCommand } from './commands/admin.ts';
import { CERT_USAGE, certCommand } from './commands/cert.ts';
import { CLIENT_USAGE, clientCommand } from './commands/client.ts';
import { OPENAPI_USAGE, openApiCommand } from './commands/openapi.ts';
import { SCENARIO_USAGE, scenarioCommand } from './commands/scenario.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { CliError, EXIT } from './exit-codes.ts';

const USAGE = `usage:
  ${SERVE_USAGE}
  ${CLIENT_USAGE}
  ${CERT_USAGE}
  ${SCENARIO_USAGE}
  ${ADMIN_USAGE}
  ${OPENAPI_USAGE}
Every serve flag also reads PHONEGRAPH_<FLAG> (e.g. PHONEGRAPH_PORT). Docs: docs/cli.md`;

const COMMANDS: Record<string, (args: readonly string[], io: CommandIo) => Promise<number>> = {
  serve: serveCommand,
  cert: certCommand,
  scenario: scenarioCommand,
  admin: adminCommand,
  openapi: openApiCommand,
  status: (args, io) => clientCommand('status', args, io),
  numbers: (args, io) => clientCommand('numbers', args, io),
  watch: (args, io) => clientCommand('watch', args, io),
  qr: (args, io) => clientCommand('qr', args, io),
};

/** Runs one command; expected failures become one `error: …` line and an exit code from the table. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (name === undefined) throw new CliError('no command given (phonegraph help lists them)', EXIT.usage);
    if (command === undefined)
      throw new CliError(`unknown command ${name} (phonegraph help lists them)`, EXIT.usage);
    return await command(args, io);
  } catch (error) {
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
