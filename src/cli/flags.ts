/** `admin-token` → `PHONEGRAPH_ADMIN_TOKEN`. */
export function envName(flag: string): string {
  return `PHONEGRAPH_${flag.replace(/-/g, '_').toUpperCase()}`;
}

export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * A flag beats its env var (`PHONEGRAPH_<FLAG>`), which beats the default (applied by the caller). An
 * empty env var is ignored; a boolean one is on for `1` or `true`.
 */
export function withEnv(
  values: FlagValues,
  flags: Readonly<Record<string, 'string' | 'boolean'>>,
  env: NodeJS.ProcessEnv,
): FlagValues {
  const merged: FlagValues = { ...values };
  for (const [name, type] of Object.entries(flags)) {
    if (merged[name] !== undefined) continue;
    const fromEnv = env[envName(name)];
    if (fromEnv === undefined || fromEnv === '') continue;
    merged[name] = type === 'boolean' ? fromEnv === '1' || fromEnv.toLowerCase() === 'true' : fromEnv;
  }
  return merged;
}
