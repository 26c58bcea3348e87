import { Command } from 'commander';
import { NATIVE_VERSIONS, isNativeVersion } from '../../contract/versions.ts';
import { openApiDocument } from '../../graph/openapi-document.ts';
import { examples, flag, type CommandContext } from '../command-tree.ts';
import { CliError, EXIT } from '../exit-codes.ts';

/** `phonegraph openapi`: the OpenAPI 3.1 document of the Graph surface, as JSON on stdout. */
export function openApiCommand(ctx: CommandContext): Command {
  const command = new Command('openapi')
    .description('print the OpenAPI 3.1 document of the Graph surface phonegraph serves (JSON)')
    .addOption(
      flag(
        '--version <version>',
        `one of ${NATIVE_VERSIONS[0]}…${NATIVE_VERSIONS.at(-1)}; default the newest`,
      ),
    )
    .addOption(flag('--server-url <url>', 'the servers[0].url of the document'))
    .action((options: { version?: string; serverUrl?: string }) => {
      const { version, serverUrl } = options;
      if (version !== undefined && !isNativeVersion(version)) {
        throw new CliError(
          `--version must be one of ${NATIVE_VERSIONS.join(', ')}, got ${version}`,
          EXIT.usage,
        );
      }
      const document = openApiDocument({
        ...(version === undefined ? {} : { version }),
        ...(serverUrl === undefined ? {} : { serverUrl }),
      });
      ctx.io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      ctx.exit(EXIT.ok);
    });
  return examples(command, [
    'phonegraph openapi > openapi.json',
    'phonegraph openapi --version v21.0 --server-url https://graph.facebook.com',
  ]);
}
