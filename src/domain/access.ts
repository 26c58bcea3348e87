import type { AppRecord, Permission, TokenRecord, WabaRecord } from '../store/records.ts';

/** What a call needs (graph-api.md §2): `any` = either permission, else that one. */
export type PermissionNeed = 'any' | Permission;

function hasPermission(token: TokenRecord, need: PermissionNeed): boolean {
  if (need === 'any') return token.permissions.length > 0;
  return token.permissions.includes(need);
}

function includes(targets: '*' | readonly string[], id: string): boolean {
  return targets === '*' || targets.includes(id);
}

/**
 * Whether the token may touch an object of this WABA. A refusal is answered exactly as a missing
 * object, so callers must not tell the two apart.
 */
export function canAccessWaba(
  token: TokenRecord,
  app: AppRecord,
  waba: WabaRecord,
  need: PermissionNeed,
): boolean {
  return (
    token.app_id === app.id &&
    includes(app.wabas, waba.id) &&
    includes(token.wabas, waba.id) &&
    hasPermission(token, need)
  );
}
