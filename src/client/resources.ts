import {
  BUSINESS_PROFILE_FIELDS,
  type BusinessProfileField,
  type BusinessProfileFields,
  type BusinessProfileUpdate,
  type BusinessVertical,
} from '../contract/business-profile.ts';
import {
  PHONE_NUMBER_DEFAULT_FIELDS_V14,
  type HealthStatus,
  type PhoneNumberFieldName,
  type PhoneNumberFields,
} from '../contract/phone-number.ts';
import {
  WABA_DEFAULT_FIELDS,
  type AccountReviewStatus,
  type BusinessVerificationStatus,
  type OwnershipType,
  type WabaFieldName as ContractWabaFieldName,
} from '../contract/waba.ts';
import type { GraphClient, GraphParams } from './graph-client.ts';

/** Flattens a mapped type so editors and type tests see a plain object type. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The default fields of the phone-number node (v14.0 and later; phone-number.md §2). */
export const DEFAULT_PHONE_NUMBER_FIELDS = PHONE_NUMBER_DEFAULT_FIELDS_V14;
export type DefaultPhoneNumberField = (typeof DEFAULT_PHONE_NUMBER_FIELDS)[number];

/**
 * How time fields read (graph-api.md §6 `date_format`): Graph time strings, or unix seconds as JSON
 * numbers for `date_format: 'U'`.
 */
export type TimeOf<D extends string | undefined> = D extends 'U' ? number : string;

/** The node's fields with time fields typed `Time`. */
export type PhoneNumberFieldsAt<Time> = Omit<PhoneNumberFields, 'last_onboarded_time'> & {
  last_onboarded_time: Time;
};

/** A phone number read with `fields` F: exactly those fields plus `id` (always returned by Graph). */
export type PhoneNumber<
  F extends readonly PhoneNumberFieldName[] = typeof DEFAULT_PHONE_NUMBER_FIELDS,
  Time = string,
> = Simplify<Pick<PhoneNumberFieldsAt<Time>, F[number] | 'id'>>;

/**
 * An item of the WABA `phone_numbers` list read without `fields` (phone-number.md §2, v14.0 and
 * later): the node defaults plus `last_onboarded_time` and `webhook_configuration` (`{application}`
 * only), each present when the number or its app has one.
 */
export type ListedPhoneNumber<Time = string> = Simplify<
  PhoneNumber<typeof DEFAULT_PHONE_NUMBER_FIELDS, Time> & {
    last_onboarded_time?: Time;
    webhook_configuration?: { application: string };
  }
>;

export interface FieldsOption<F extends readonly PhoneNumberFieldName[]> {
  fields?: F;
  /** A PHP `date()` format for time fields; `'U'` types them as numbers. */
  date_format?: string | undefined;
}

/** The WABA node (phone-number.md §6). */
export interface WabaFields {
  id: string;
  name: string;
  timezone_id: string;
  currency: string;
  message_template_namespace: string;
  account_review_status: AccountReviewStatus;
  /** Lower case, as Graph writes it. */
  business_verification_status: BusinessVerificationStatus;
  /** ISO 3166 alpha-2. */
  country: string;
  ownership_type: OwnershipType;
  /** The WABA's own view: entities WABA, BUSINESS, APP. */
  health_status: HealthStatus;
}
export type WabaFieldName = keyof WabaFields;
// Compile-time proof that the SDK types every field of the contract's table and no other.
const _wabaFieldsMatch: [
  Exclude<WabaFieldName, ContractWabaFieldName> | Exclude<ContractWabaFieldName, WabaFieldName>,
] extends [never]
  ? true
  : never = true;
void _wabaFieldsMatch;
export type { AccountReviewStatus, BusinessVerificationStatus, OwnershipType };
/** The WABA node's default fields, in the order Graph answers them. */
export const DEFAULT_WABA_FIELDS = WABA_DEFAULT_FIELDS;
export type Waba<F extends readonly WabaFieldName[] = typeof DEFAULT_WABA_FIELDS> = Simplify<
  Pick<WabaFields, F[number] | 'id'>
>;

/** A number's business profile read with `fields` F; fields that are not set are left out. */
export type BusinessProfile<F extends readonly BusinessProfileField[] = typeof BUSINESS_PROFILE_FIELDS> =
  Simplify<
    Partial<Pick<BusinessProfileFields, Exclude<F[number], 'messaging_product'>>> & {
      messaging_product: 'whatsapp';
    }
  >;
export type { BusinessProfileField, BusinessProfileFields, BusinessProfileUpdate, BusinessVertical };

/** What `POST /{phone}` sets (v14.0 and later; phone-number.md intro). */
export interface PhoneNumberUpdate {
  /** A 6-digit two-step PIN. */
  pin?: string;
  /** Requests a display-name change: `new_name_status` becomes `PENDING_REVIEW`. */
  new_display_name?: string;
  webhook_configuration?: { override_callback_uri: string; verify_token: string };
}

/** A QR code / deep link (phone-number.md §5.1). */
export interface QrCode {
  code: string;
  prefilled_message: string;
  deep_link_url: string;
  qr_image_url?: string;
}
export type QrImageFormat = 'SVG' | 'PNG';

export interface Success {
  success: boolean;
}

export interface Page<T> {
  data: T[];
  paging?: {
    cursors?: { before?: string; after?: string };
    next?: string;
    previous?: string;
  };
}

export type PhoneNumberSort =
  | 'last_onboarded_time_descending'
  | 'last_onboarded_time_ascending'
  | 'creation_time_descending'
  | 'creation_time_ascending';

export interface PhoneNumberFilter {
  field: 'account_mode' | 'messaging_limit_tier' | 'is_official_business_account' | 'status';
  operator: 'EQUAL';
  value: string | boolean;
}

export interface ListPhoneNumbersOptions<F extends readonly PhoneNumberFieldName[]> extends FieldsOption<F> {
  filtering?: readonly PhoneNumberFilter[];
  sort?: PhoneNumberSort | readonly PhoneNumberSort[];
  /** Page size, 1-100 (Graph's default 25). The iterator still walks every page. */
  limit?: number;
}

function fieldsParam(fields: readonly string[] | undefined): GraphParams {
  return fields === undefined ? {} : { fields: fields.join(',') };
}

/** Walks a cursor-paged edge, one page at a time, following `after` while Graph gives a `next`. */
async function* paginate<T>(
  client: GraphClient,
  path: string,
  params: GraphParams,
): AsyncGenerator<T, void, undefined> {
  let after: string | undefined;
  for (;;) {
    const page = await client.get<Page<T>>(path, after === undefined ? params : { ...params, after });
    yield* page.data.data;
    const next = page.data.paging?.next;
    const cursor = page.data.paging?.cursors?.after;
    if (next === undefined || cursor === undefined || page.data.data.length === 0) return;
    after = cursor;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

export class PhoneNumbers {
  readonly #client: GraphClient;
  constructor(client: GraphClient) {
    this.#client = client;
  }

  /**
   * Reads the node; the result has exactly the selected fields (the defaults when none are given);
   * `date_format: 'U'` types time fields as numbers.
   */
  retrieve(id: string, options?: { fields?: undefined; date_format?: undefined }): Promise<PhoneNumber>;
  retrieve<const F extends readonly PhoneNumberFieldName[], const D extends string | undefined = undefined>(
    id: string,
    options: { fields?: F; date_format?: D },
  ): Promise<PhoneNumber<F, TimeOf<D>>>;
  async retrieve(
    id: string,
    options: { fields?: readonly PhoneNumberFieldName[] | undefined; date_format?: string | undefined } = {},
  ): Promise<unknown> {
    return (
      await this.#client.get(enc(id), { ...fieldsParam(options.fields), date_format: options.date_format })
    ).data;
  }

  /** `POST /{id}/request_code`: sends a verification code by SMS or voice. */
  async requestCode(
    id: string,
    params: { code_method: 'SMS' | 'VOICE'; language: string },
  ): Promise<Success> {
    return (await this.#client.post<Success>(`${enc(id)}/request_code`, params)).data;
  }

  /** `POST /{id}/verify_code`: a wrong or expired code throws error 136025. */
  async verifyCode(id: string, params: { code: string }): Promise<Success> {
    return (await this.#client.post<Success>(`${enc(id)}/verify_code`, params)).data;
  }

  /** `POST /{id}/register` with a 6-digit two-step verification `pin`. */
  async register(id: string, params: { pin: string; messaging_product?: 'whatsapp' }): Promise<Success> {
    return (
      await this.#client.post<Success>(`${enc(id)}/register`, { messaging_product: 'whatsapp', ...params })
    ).data;
  }

  /** `POST /{id}/deregister`. */
  async deregister(id: string): Promise<Success> {
    return (await this.#client.post<Success>(`${enc(id)}/deregister`)).data;
  }

  /** `POST /{id}` (v14.0+): sets the PIN, a webhook override and/or requests a new display name. */
  async update(id: string, params: PhoneNumberUpdate): Promise<Success> {
    return (await this.#client.post<Success>(enc(id), { ...params })).data;
  }
}

/** `/{phone}/whatsapp_business_profile` (phone-number.md §5.3). */
export class BusinessProfiles {
  readonly #client: GraphClient;
  constructor(client: GraphClient) {
    this.#client = client;
  }

  /** The profile, with every field that is set or only the selected ones; `messaging_product` last. */
  retrieve(phoneNumberId: string, options?: { fields?: undefined }): Promise<BusinessProfile>;
  retrieve<const F extends readonly BusinessProfileField[]>(
    phoneNumberId: string,
    options: { fields?: F },
  ): Promise<BusinessProfile<F>>;
  async retrieve(
    phoneNumberId: string,
    options: { fields?: readonly BusinessProfileField[] | undefined } = {},
  ): Promise<unknown> {
    const page = await this.#client.get<Page<unknown>>(
      `${enc(phoneNumberId)}/whatsapp_business_profile`,
      fieldsParam(options.fields),
    );
    const item = page.data.data[0];
    if (item === undefined) throw new TypeError('Graph listed no business profile');
    return item;
  }

  /** Sets the given fields; `""` clears one. `profile_picture_handle` sets the picture. */
  async update(phoneNumberId: string, params: BusinessProfileUpdate): Promise<Success> {
    return (
      await this.#client.post<Success>(`${enc(phoneNumberId)}/whatsapp_business_profile`, {
        ...params,
        messaging_product: 'whatsapp',
      })
    ).data;
  }
}

export class WabaPhoneNumbers {
  readonly #client: GraphClient;
  constructor(client: GraphClient) {
    this.#client = client;
  }

  /** Every phone number of the WABA, across pages (without `fields`: the list's own defaults). */
  list(
    wabaId: string,
    options?: Omit<ListPhoneNumbersOptions<readonly PhoneNumberFieldName[]>, 'fields' | 'date_format'> & {
      fields?: undefined;
      date_format?: undefined;
    },
  ): AsyncGenerator<ListedPhoneNumber>;
  list<const F extends readonly PhoneNumberFieldName[], const D extends string | undefined = undefined>(
    wabaId: string,
    options: Omit<ListPhoneNumbersOptions<F>, 'date_format'> & { date_format?: D },
  ): AsyncGenerator<PhoneNumber<F, TimeOf<D>>>;
  list(
    wabaId: string,
    options: Omit<ListPhoneNumbersOptions<readonly PhoneNumberFieldName[]>, 'fields'> & {
      fields?: readonly PhoneNumberFieldName[] | undefined;
    } = {},
  ): AsyncGenerator<unknown> {
    return paginate(this.#client, `${enc(wabaId)}/phone_numbers`, {
      ...fieldsParam(options.fields),
      date_format: options.date_format,
      filtering: options.filtering,
      sort: options.sort,
      limit: options.limit,
    });
  }

  /** Adds a number to the WABA; it starts `PENDING`. `phone_number` is digits without `+`. */
  async create(
    wabaId: string,
    params: { cc: string; phone_number: string; verified_name: string },
  ): Promise<{ id: string }> {
    return (await this.#client.post<{ id: string }>(`${enc(wabaId)}/phone_numbers`, params)).data;
  }
}

export class Wabas {
  readonly #client: GraphClient;
  readonly phoneNumbers: WabaPhoneNumbers;
  constructor(client: GraphClient) {
    this.#client = client;
    this.phoneNumbers = new WabaPhoneNumbers(client);
  }

  retrieve(id: string, options?: { fields?: undefined }): Promise<Waba>;
  retrieve<const F extends readonly WabaFieldName[]>(id: string, options: { fields?: F }): Promise<Waba<F>>;
  async retrieve(
    id: string,
    options: { fields?: readonly WabaFieldName[] | undefined } = {},
  ): Promise<unknown> {
    return (await this.#client.get(enc(id), fieldsParam(options.fields))).data;
  }
}

export class QrCodes {
  readonly #client: GraphClient;
  constructor(client: GraphClient) {
    this.#client = client;
  }

  /** Creates a code; with `generate_qr_image` the answer carries `qr_image_url`. */
  async create(
    phoneNumberId: string,
    params: { prefilled_message: string; generate_qr_image?: QrImageFormat },
  ): Promise<QrCode> {
    return (await this.#client.post<QrCode>(`${enc(phoneNumberId)}/message_qrdls`, params)).data;
  }

  /** Every code of the number, newest first, across pages. */
  list(phoneNumberId: string, options: { limit?: number; code?: string } = {}): AsyncGenerator<QrCode> {
    return paginate<QrCode>(this.#client, `${enc(phoneNumberId)}/message_qrdls`, {
      limit: options.limit,
      code: options.code,
    });
  }

  /** One code; with `imageFormat` the answer carries `qr_image_url`. */
  async retrieve(
    phoneNumberId: string,
    code: string,
    options: { imageFormat?: QrImageFormat } = {},
  ): Promise<QrCode> {
    const fields =
      options.imageFormat === undefined
        ? {}
        : { fields: `code,prefilled_message,deep_link_url,qr_image_url.format(${options.imageFormat})` };
    const page = await this.#client.get<Page<QrCode>>(
      `${enc(phoneNumberId)}/message_qrdls/${enc(code)}`,
      fields,
    );
    const item = page.data.data[0];
    if (item === undefined) throw new TypeError(`Graph listed no QR code ${code}`);
    return item;
  }

  /** Replaces the prefilled message; the code and link stay. */
  async update(
    phoneNumberId: string,
    code: string,
    params: { prefilled_message: string; generate_qr_image?: QrImageFormat },
  ): Promise<QrCode> {
    return (await this.#client.post<QrCode>(`${enc(phoneNumberId)}/message_qrdls`, { ...params, code })).data;
  }

  async delete(phoneNumberId: string, code: string): Promise<Success> {
    return (await this.#client.delete<Success>(`${enc(phoneNumberId)}/message_qrdls/${enc(code)}`)).data;
  }
}
