/** Graph API versions phonegraph serves natively, oldest first. Adding v27.0 is one line here. */
export const NATIVE_VERSIONS = [
  'v11.0',
  'v12.0',
  'v13.0',
  'v14.0',
  'v15.0',
  'v16.0',
  'v17.0',
  'v18.0',
  'v19.0',
  'v20.0',
  'v21.0',
  'v22.0',
  'v23.0',
  'v24.0',
  'v25.0',
  'v26.0',
] as const;

export type GraphVersion = (typeof NATIVE_VERSIONS)[number];

export const OLDEST_VERSION: GraphVersion = NATIVE_VERSIONS[0];
export const NEWEST_VERSION: GraphVersion = NATIVE_VERSIONS[NATIVE_VERSIONS.length - 1] as GraphVersion;

function range(major: number, minors: number): string[] {
  return Array.from({ length: minors + 1 }, (_, minor) => `v${major}.${minor}`);
}

/** Graph's historical expired versions; each is served as the oldest native version. */
export const EXPIRED_VERSIONS: readonly string[] = [
  'v1.0',
  ...range(2, 12),
  ...range(3, 3),
  ...['v4.0', 'v5.0', 'v6.0', 'v7.0', 'v8.0', 'v9.0', 'v10.0'],
];

export function isNativeVersion(value: string): value is GraphVersion {
  return (NATIVE_VERSIONS as readonly string[]).includes(value);
}

/** Position of a native version in the table, for since/until comparisons. */
export function versionIndex(version: GraphVersion): number {
  return NATIVE_VERSIONS.indexOf(version);
}
