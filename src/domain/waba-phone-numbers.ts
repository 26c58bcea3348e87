import type { PhoneNumberRecord } from '../store/records.ts';
import type { PhoneNumberFilter, PhoneNumberSortKey } from '../store/store.ts';
import { cryptoRandom, randomNumericId } from './scenario/seeded-random.ts';

/** A failure of a list parameter, turned into the Graph error by the protocol layer. */
export type ListParamError =
  | { readonly kind: 'sort'; readonly value: string }
  | { readonly kind: 'filteringArray' }
  | { readonly kind: 'filteringUnsupported'; readonly field: string; readonly op: string };

export class ListParamFailure extends Error {
  readonly detail: ListParamError;
  constructor(detail: ListParamError) {
    super(detail.kind);
    this.detail = detail;
  }
}

export interface PhoneNumberSort {
  readonly sortBy: PhoneNumberSortKey;
  readonly descending: boolean;
}

const SORTS: Readonly<Record<string, PhoneNumberSort>> = {
  last_onboarded_time_descending: { sortBy: 'last_onboarded_time', descending: true },
  last_onboarded_time_ascending: { sortBy: 'last_onboarded_time', descending: false },
  creation_time_descending: { sortBy: 'created_time', descending: true },
  creation_time_ascending: { sortBy: 'created_time', descending: false },
};
export const DEFAULT_SORT = 'last_onboarded_time_descending';

/** Bare or a JSON array; a value without a direction gets `_ascending`, as Graph does (§6). */
export function parseSort(value: string | undefined): { name: string; sort: PhoneNumberSort } {
  if (value === undefined || value === '') return { name: DEFAULT_SORT, sort: SORTS[DEFAULT_SORT]! };
  let first: string = value;
  if (value.trimStart().startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed)) {
        if (parsed.length === 0) return { name: DEFAULT_SORT, sort: SORTS[DEFAULT_SORT]! };
        first = String(parsed[0]);
      }
    } catch {
      // Not JSON: judged as a bare value below.
    }
  }
  const name = /_(ascending|descending)$/.test(first) ? first : `${first}_ascending`;
  const sort = SORTS[name];
  if (sort === undefined) throw new ListParamFailure({ kind: 'sort', value: name });
  return { name, sort };
}

const STRING_FILTERS = ['account_mode', 'messaging_limit_tier', 'status'] as const;

/** `filtering`: EQUAL on the listed fields; `is_official_business_account` takes JSON booleans only. */
export function parseFiltering(value: string | undefined): PhoneNumberFilter[] {
  if (value === undefined || value === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ListParamFailure({ kind: 'filteringArray' });
  }
  if (!Array.isArray(parsed)) throw new ListParamFailure({ kind: 'filteringArray' });
  return parsed.map((item: unknown) => {
    const rule = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const field = String(rule.field ?? '');
    const operator = String(rule.operator ?? '');
    const unsupported = new ListParamFailure({
      kind: 'filteringUnsupported',
      field,
      op: operator.toLowerCase(),
    });
    if (operator.toUpperCase() !== 'EQUAL') throw unsupported;
    if (field === 'is_official_business_account') {
      if (typeof rule.value !== 'boolean') throw unsupported;
      return { column: field, value: rule.value };
    }
    const column = STRING_FILTERS.find((candidate) => candidate === field);
    if (column === undefined || typeof rule.value !== 'string') throw unsupported;
    return { column, value: rule.value };
  });
}

/** `DELETED` numbers are listed only when the request filters for them. */
export function includesDeleted(filters: readonly PhoneNumberFilter[]): boolean {
  return filters.some((filter) => filter.column === 'status' && filter.value === 'DELETED');
}

/** `+1 NXX-NXX-XXXX` for cc 1 with ten digits, else `+{cc} {digits}` (fidelity note). */
export function displayPhoneNumber(cc: string, digits: string): string {
  if (cc === '1' && digits.length === 10)
    return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
  return `+${cc} ${digits}`;
}

/** The digits a number is compared by when checking that it is not on a WABA already. */
export function phoneDigits(cc: string, phoneNumber: string): string {
  return `${cc}${phoneNumber}`.replace(/[^0-9]/g, '');
}

/** A number added through `POST /{waba}/phone_numbers` (phone-number.md §6). */
export function pendingPhoneNumber(input: {
  readonly wabaId: string;
  readonly cc: string;
  readonly phoneNumber: string;
  readonly verifiedName: string;
  readonly now: Date;
}): PhoneNumberRecord {
  const iso = input.now.toISOString();
  return {
    id: randomNumericId(cryptoRandom(), 15),
    waba_id: input.wabaId,
    display_phone_number: displayPhoneNumber(input.cc, input.phoneNumber),
    verified_name: input.verifiedName,
    status: 'PENDING',
    account_mode: 'LIVE',
    certificate: null,
    new_certificate: null,
    name_status: 'PENDING_REVIEW',
    new_name_status: 'NONE',
    requested_verified_name: null,
    quality_score: { score: 'UNKNOWN', date: Math.floor(input.now.getTime() / 1000), reasons: [] },
    code_verification_status: 'NOT_VERIFIED',
    is_official_business_account: false,
    pin_hash: null,
    is_pin_enabled: false,
    messaging_limit_tier: 'TIER_250',
    eligibility_for_api_business_global_search: 'NON_ELIGIBLE_UNDEFINED_COUNTRY',
    search_visibility: 'VISIBLE',
    platform_type: 'NOT_APPLICABLE',
    throughput_level: 'NOT_APPLICABLE',
    webhook_override: null,
    is_preverified_number: false,
    is_on_biz_app: false,
    whatsapp_business_manager_messaging_limit: 'UNTIERED',
    last_onboarded_time: iso,
    created_time: iso,
  };
}
