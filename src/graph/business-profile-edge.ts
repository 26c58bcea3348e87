import {
  BUSINESS_PROFILE_FIELDS,
  type BusinessProfileField,
  type BusinessProfileFields,
} from '../contract/business-profile.ts';
import {
  BUSINESS_PROFILE_PARAMS,
  businessProfileItem,
  emptyProfile,
  parseProfileUpdate,
  planProfileChange,
  ProfileInputError,
  type ProfileInputFailure,
} from '../domain/business-profile.ts';
import type { Clock } from '../domain/clock.ts';
import type { PhoneNumberContext } from '../domain/phone-number-view.ts';
import { QrImageSigner } from '../domain/qr-images.ts';
import type { Store } from '../store/store.ts';
import { projectNode, type Selection } from './field-selection.ts';
import { invalidParameter, unknownPath, unsupportedRequest, type GraphError } from './graph-error.ts';
import { baseUrl, type ObjectCall } from './graph-objects.ts';
import { BUSINESS_PROFILE_NODE } from './node-types.ts';
import { renderBody, type RenderedBody } from './rendered-body.ts';

export const BUSINESS_PROFILE_EDGE = 'whatsapp_business_profile';

export interface BusinessProfileDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** `--public-url`, without a trailing slash, or undefined to use the Host header. */
  readonly publicUrl: string | undefined;
}

/** Each readable field from the full item; a field that is not set is left out. */
const PROFILE_FIELD_VALUES = Object.fromEntries(
  BUSINESS_PROFILE_FIELDS.map((field) => [field, (item: BusinessProfileFields) => item[field]]),
) as Readonly<Record<BusinessProfileField, (item: BusinessProfileFields) => unknown>>;

/** `messaging_product` is always there and always last (captured v24 responses). */
function withProductLast(selection: Selection): Selection {
  const product = selection.find((entry) => entry.field === 'messaging_product' && entry.key === entry.field);
  const rest = selection.filter((entry) => entry !== product && entry.field !== 'messaging_product');
  return [
    ...rest,
    product ?? { key: 'messaging_product', field: 'messaging_product', children: null, modifiers: {} },
  ];
}

/** Graph's words for a refused update: 100 invalid parameter naming the field. */
export function profileInputError(failure: ProfileInputFailure): GraphError {
  if (failure.kind === 'tooLong') return invalidParameter('tooLong', { name: failure.field, n: failure.n });
  if (failure.kind === 'vertical') return invalidParameter('vertical');
  if (failure.kind === 'websites') return invalidParameter('websites');
  // Graph parameters are strings: only `websites` can have the wrong shape.
  return invalidParameter('websitesFormat');
}

/** `GET/POST /{v}/{phone}/whatsapp_business_profile` (phone-number.md §5.3). */
export class BusinessProfileEdge {
  readonly #deps: BusinessProfileDeps;
  #images: Promise<QrImageSigner> | undefined;

  constructor(deps: BusinessProfileDeps) {
    this.#deps = deps;
  }

  #signer(): Promise<QrImageSigner> {
    this.#images ??= QrImageSigner.fromStore(this.#deps.store);
    this.#images.catch(() => {
      this.#images = undefined;
    });
    return this.#images;
  }

  async edge(
    call: ObjectCall,
    { number }: PhoneNumberContext,
    rest: readonly string[],
  ): Promise<RenderedBody> {
    if (rest.length > 0) throw unknownPath([BUSINESS_PROFILE_EDGE, ...rest].join('/'));
    if (call.method === 'GET') return this.#read(call, number.id);
    if (call.method === 'POST') return this.#update(call, number.id);
    throw unsupportedRequest(call.method, number.id);
  }

  async #read(call: ObjectCall, phoneNumberId: string): Promise<RenderedBody> {
    call.knows([]);
    const selection = withProductLast(call.selections(BUSINESS_PROFILE_NODE));
    const profile = (await this.#deps.store.getBusinessProfile(phoneNumberId)) ?? emptyProfile(phoneNumberId);
    const handle = profile.profile_picture_handle;
    const pictureUrl =
      handle === null
        ? undefined
        : `${baseUrl(this.#deps, call.request)}${(await this.#signer()).profilePicturePath(phoneNumberId, handle)}`;
    const item = businessProfileItem(profile, pictureUrl);
    return renderBody({ data: [projectNode(selection, item, PROFILE_FIELD_VALUES)] });
  }

  async #update(call: ObjectCall, phoneNumberId: string): Promise<RenderedBody> {
    call.knows(['messaging_product', ...BUSINESS_PROFILE_PARAMS]);
    const params = call.request.params;
    const product = params.messaging_product;
    if (product === undefined || product === '')
      throw invalidParameter('required', { name: 'messaging_product' });
    if (product !== 'whatsapp') throw invalidParameter('messagingProduct', { value: product });
    let update;
    try {
      update = parseProfileUpdate(params);
    } catch (error) {
      if (error instanceof ProfileInputError) throw profileInputError(error.failure);
      throw error;
    }
    const store = this.#deps.store;
    const before = (await store.getBusinessProfile(phoneNumberId)) ?? emptyProfile(phoneNumberId);
    const change = planProfileChange(before, update, {
      actor: `graph:${call.app.id}`,
      at: this.#deps.clock.now(),
    });
    if (change !== null) await store.commitBusinessProfileChange(change);
    return renderBody({ success: true });
  }
}
