/** The `x-business-use-case-usage` header (rate-limits.md): usage of each WABA's BUC window. */
export interface BusinessUseCaseUsageEntry {
  type: string;
  call_count: number;
  total_cputime: number;
  total_time: number;
  /** Whole minutes until a call would be admitted again; 0 while the window has room. */
  estimated_time_to_regain_access: number;
}

/** Keyed by WABA id. */
export type BusinessUseCaseUsage = Record<string, BusinessUseCaseUsageEntry[]>;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Parses the header; `undefined` when it is absent or not the documented shape. */
export function parseBusinessUseCaseUsage(
  header: string | null | undefined,
): BusinessUseCaseUsage | undefined {
  if (header === null || header === undefined || header === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const usage: BusinessUseCaseUsage = {};
  for (const [waba, entries] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(entries)) return undefined;
    usage[waba] = entries.map((entry: unknown) => {
      const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
      return {
        type: typeof e.type === 'string' ? e.type : '',
        call_count: isNumber(e.call_count) ? e.call_count : 0,
        total_cputime: isNumber(e.total_cputime) ? e.total_cputime : 0,
        total_time: isNumber(e.total_time) ? e.total_time : 0,
        estimated_time_to_regain_access: isNumber(e.estimated_time_to_regain_access)
          ? e.estimated_time_to_regain_access
          : 0,
      };
    });
  }
  return usage;
}

/** The longest wait the header announces, in milliseconds (0 when none). */
export function regainAccessMs(usage: BusinessUseCaseUsage | undefined): number {
  if (usage === undefined) return 0;
  let minutes = 0;
  for (const entries of Object.values(usage))
    for (const entry of entries) minutes = Math.max(minutes, entry.estimated_time_to_regain_access);
  return minutes * 60_000;
}

/** The highest percentage of any budget used in any window (0-100). */
export function highestUsage(usage: BusinessUseCaseUsage | undefined): number {
  if (usage === undefined) return 0;
  let highest = 0;
  for (const entries of Object.values(usage))
    for (const entry of entries)
      highest = Math.max(highest, entry.call_count, entry.total_cputime, entry.total_time);
  return highest;
}
