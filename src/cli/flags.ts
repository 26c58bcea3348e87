import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT } from './exit-codes.ts';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** `--admin-token` → `PHONEGRAPH_ADMIN_TOKEN`. */
export function envName(flag: string): string {
  return `PHONEGRAPH_${flag.replace(/-/g, '_').toUpperCase()}`;
}

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** A flag beats its env var, which beats the default (applied by the caller). */
export function parseFlags(
  args: readonly string[],
  options: OptionSpec,
  env: NodeJS.ProcessEnv,
  useEnv: boolean,
): ParsedFlags {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  const values: Record<string, string | boolean | undefined> = { ...parsed.values } as Record<
    string,
    string | boolean | undefined
  >;
  if (useEnv) {
    for (const [flag, spec] of Object.entries(options)) {
      if (values[flag] !== undefined) continue;
      const fromEnv = env[envName(flag)];
      if (fromEnv === undefined || fromEnv === '') continue;
      values[flag] = spec.type === 'boolean' ? fromEnv === '1' || fromEnv.toLowerCase() === 'true' : fromEnv;
    }
  }
  return { values, positionals: parsed.positionals };
}
