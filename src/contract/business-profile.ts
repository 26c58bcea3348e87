/** The `whatsapp_business_profile` edge of a phone number (phone-number.md §5.3), as data. */

export const BUSINESS_VERTICALS = [
  'UNDEFINED',
  'OTHER',
  'AUTO',
  'BEAUTY',
  'APPAREL',
  'EDU',
  'ENTERTAIN',
  'EVENT_PLAN',
  'FINANCE',
  'GROCERY',
  'GOVT',
  'HOTEL',
  'HEALTH',
  'NONPROFIT',
  'PROF_SERVICES',
  'RETAIL',
  'TRAVEL',
  'RESTAURANT',
  'NOT_A_BIZ',
] as const;
export type BusinessVertical = (typeof BUSINESS_VERTICALS)[number];

/** Text fields and their maximum length in characters (Unicode code points). */
export const BUSINESS_PROFILE_TEXT_LIMITS = {
  about: 139,
  address: 256,
  description: 512,
  email: 128,
} as const;
export type BusinessProfileTextField = keyof typeof BUSINESS_PROFILE_TEXT_LIMITS;

export const MAX_BUSINESS_WEBSITES = 2;
export const MAX_BUSINESS_WEBSITE_LENGTH = 256;

/** Readable fields in the default (and documented) order; `messaging_product` always comes last. */
export const BUSINESS_PROFILE_FIELDS = [
  'about',
  'address',
  'description',
  'email',
  'profile_picture_url',
  'websites',
  'vertical',
  'messaging_product',
] as const;
export type BusinessProfileField = (typeof BUSINESS_PROFILE_FIELDS)[number];

/** One item of `GET /{phone}/whatsapp_business_profile`; a field that is not set is left out. */
export interface BusinessProfileFields {
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  profile_picture_url?: string;
  websites?: string[];
  vertical?: BusinessVertical;
  messaging_product: 'whatsapp';
}

/** What `POST /{phone}/whatsapp_business_profile` takes; `""` clears a field. */
export interface BusinessProfileUpdate {
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  /** An upload handle: the profile picture becomes an image phonegraph serves. */
  profile_picture_handle?: string;
  websites?: readonly string[];
  vertical?: BusinessVertical | '';
}
