import { NATIVE_VERSIONS, isNativeVersion } from '../../contract/versions.ts';
import { openApiDocument } from '../../graph/openapi-document.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { parseFlags } from '../flags.ts';

const OPENAPI_OPTIONS = { version: { type: 'string' }, 'server-url': { type: 'string' } } as const;

export const OPENAPI_USAGE = 'phonegraph openapi [--version v26.0] [--server-url https://graph.facebook.com]';

/** `phonegraph openapi`: the OpenAPI 3.1 document of the Graph surface, as JSON on stdout. */
export async function openApiCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(args, OPENAPI_OPTIONS, io.env, false);
  if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}`, EXIT.usage);
  const version = typeof values.version === 'string' ? values.version : undefined;
  if (version !== undefined && !isNativeVersion(version)) {
    throw new CliError(`--version must be one of ${NATIVE_VERSIONS.join(', ')}, got ${version}`, EXIT.usage);
  }
  const serverUrl = typeof values['server-url'] === 'string' ? values['server-url'] : undefined;
  const document = openApiDocument({
    ...(version === undefined ? {} : { version }),
    ...(serverUrl === undefined ? {} : { serverUrl }),
  });
  io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  return EXIT.ok;
}
