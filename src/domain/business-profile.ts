import {
  type BusinessProfileFields,
  BUSINESS_PROFILE_TEXT_LIMITS,
  BUSINESS_VERTICALS,
  MAX_BUSINESS_WEBSITE_LENGTH,
  MAX_BUSINESS_WEBSITES,
  type BusinessProfileTextField,
  type BusinessVertical,
} from '../contract/business-profile.ts';
import type { BusinessProfileChange, BusinessProfileRecord, HistoryEntry } from '../store/records.ts';
import type { ChangeContext } from './lifecycle.ts';

/** The parameters a profile update reads, in the order they are checked (graph-api.md §3). */
export const BUSINESS_PROFILE_PARAMS = [
  'about',
  'address',
  'description',
  'email',
  'profile_picture_handle',
  'vertical',
  'websites',
] as const;

/** Why an update was refused; Graph and the admin plane word it their own way. */
export type ProfileInputFailure =
  | { readonly kind: 'tooLong'; readonly field: string; readonly n: number }
  | { readonly kind: 'vertical'; readonly value: string }
  | { readonly kind: 'websites' }
  | { readonly kind: 'notText'; readonly field: string };

export class ProfileInputError extends Error {
  readonly failure: ProfileInputFailure;

  constructor(failure: ProfileInputFailure) {
    super(`business profile: ${failure.kind}`);
    this.failure = failure;
  }
}

/** A validated update: a key present sets that field, `null` clears it; absent keys stay as they are. */
export interface ProfileUpdate {
  about?: string | null;
  address?: string | null;
  description?: string | null;
  email?: string | null;
  profile_picture_handle?: string | null;
  vertical?: BusinessVertical | null;
  websites?: string[];
}

export function emptyProfile(phoneNumberId: string): BusinessProfileRecord {
  return {
    phone_number_id: phoneNumberId,
    about: null,
    address: null,
    description: null,
    email: null,
    websites: [],
    vertical: null,
    profile_picture_handle: null,
  };
}

const TEXT_FIELDS = Object.keys(BUSINESS_PROFILE_TEXT_LIMITS) as BusinessProfileTextField[];

function codePoints(text: string): number {
  return [...text].length;
}

/** `websites` as Graph takes it: a JSON array of strings, or one URL; `""` or `[]` clears. */
function websitesOf(value: unknown): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    if (value === '') return [];
    if (value.trimStart().startsWith('[')) {
      try {
        list = JSON.parse(value);
      } catch {
        throw new ProfileInputError({ kind: 'notText', field: 'websites' });
      }
    } else list = [value];
  }
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string'))
    throw new ProfileInputError({ kind: 'notText', field: 'websites' });
  const sites = list.filter((site) => site !== '');
  if (sites.length > MAX_BUSINESS_WEBSITES) throw new ProfileInputError({ kind: 'websites' });
  for (const site of sites) {
    if (codePoints(site) > MAX_BUSINESS_WEBSITE_LENGTH)
      throw new ProfileInputError({ kind: 'tooLong', field: 'websites', n: MAX_BUSINESS_WEBSITE_LENGTH });
  }
  return sites;
}

/**
 * Reads an update from Graph parameters or an admin/scenario object (phone-number.md §5.3): text fields
 * within their lengths, `vertical` from the enum, at most 2 websites; `""` clears a field. Checked in
 * `BUSINESS_PROFILE_PARAMS` order, first failure wins.
 */
export function parseProfileUpdate(input: Readonly<Record<string, unknown>>): ProfileUpdate {
  const update: ProfileUpdate = {};
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ProfileInputError({ kind: 'notText', field });
    const n = BUSINESS_PROFILE_TEXT_LIMITS[field];
    if (codePoints(value) > n) throw new ProfileInputError({ kind: 'tooLong', field, n });
    update[field] = value === '' ? null : value;
  }
  const handle = input.profile_picture_handle;
  if (handle !== undefined) {
    if (typeof handle !== 'string')
      throw new ProfileInputError({ kind: 'notText', field: 'profile_picture_handle' });
    update.profile_picture_handle = handle === '' ? null : handle;
  }
  const vertical = input.vertical;
  if (vertical !== undefined) {
    if (vertical === '') update.vertical = null;
    else if (typeof vertical === 'string' && (BUSINESS_VERTICALS as readonly string[]).includes(vertical))
      update.vertical = vertical as BusinessVertical;
    else throw new ProfileInputError({ kind: 'vertical', value: String(vertical) });
  }
  if (input.websites !== undefined) update.websites = websitesOf(input.websites);
  return update;
}

/** The profile after an update. */
export function applyProfileUpdate(
  profile: BusinessProfileRecord,
  update: ProfileUpdate,
): BusinessProfileRecord {
  const after: BusinessProfileRecord = { ...profile, websites: [...profile.websites] };
  for (const field of TEXT_FIELDS) if (update[field] !== undefined) after[field] = update[field];
  if (update.profile_picture_handle !== undefined)
    after.profile_picture_handle = update.profile_picture_handle;
  if (update.vertical !== undefined) after.vertical = update.vertical;
  if (update.websites !== undefined) after.websites = [...update.websites];
  return after;
}

/** The fields an update changed, in the order of `BUSINESS_PROFILE_PARAMS`. */
function changedFields(before: BusinessProfileRecord, after: BusinessProfileRecord): string[] {
  const changed: string[] = [];
  for (const field of TEXT_FIELDS) if (before[field] !== after[field]) changed.push(field);
  if (before.profile_picture_handle !== after.profile_picture_handle) changed.push('profile_picture');
  if (before.vertical !== after.vertical) changed.push('vertical');
  if (JSON.stringify(before.websites) !== JSON.stringify(after.websites)) changed.push('websites');
  return changed;
}

/**
 * A profile change with its history line (`business_profile`, `to` the changed fields); null when
 * nothing changes. The values themselves are not copied into history.
 */
export function planProfileChange(
  before: BusinessProfileRecord,
  update: ProfileUpdate,
  context: ChangeContext,
): BusinessProfileChange | null {
  const after = applyProfileUpdate(before, update);
  const changed = changedFields(before, after);
  if (changed.length === 0) return null;
  const line: HistoryEntry = {
    phone_number_id: before.phone_number_id,
    at: context.at.toISOString(),
    actor: context.actor,
    change: 'business_profile',
    from: null,
    to: changed.join(', '),
    reason: null,
  };
  return { profile: after, history: [line] };
}

/**
 * The profile as Graph shows it (phone-number.md §5.3): every set field in the documented order,
 * `profile_picture_url` the served image's URL, `messaging_product` last.
 */
export function businessProfileItem(
  profile: BusinessProfileRecord,
  pictureUrl: string | undefined,
): BusinessProfileFields {
  const item: BusinessProfileFields = { messaging_product: 'whatsapp' };
  const out: Partial<BusinessProfileFields> = {};
  if (profile.about !== null) out.about = profile.about;
  if (profile.address !== null) out.address = profile.address;
  if (profile.description !== null) out.description = profile.description;
  if (profile.email !== null) out.email = profile.email;
  if (pictureUrl !== undefined) out.profile_picture_url = pictureUrl;
  if (profile.websites.length > 0) out.websites = [...profile.websites];
  if (profile.vertical !== null) out.vertical = profile.vertical;
  return { ...out, ...item };
}
