import { VERIFY_CODE_REASONS } from '../contract/errors.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import { canAccessWaba, type PermissionNeed } from '../domain/access.ts';
import type { Clock } from '../domain/clock.ts';
import {
  commitChange,
  planCodeVerified,
  planDeregister,
  planNodeSettings,
  planRegister,
  type ChangeContext,
  type EdgeRefusal,
  type NodeSettings,
  type PlannedChange,
} from '../domain/lifecycle.ts';
import { checkOtp, isCodeMethod, issueOtp } from '../domain/otp.ts';
import type { PhoneNumberContext } from '../domain/phone-number-view.ts';
import { hashPin, pinMatches } from '../domain/two-step-pin.ts';
import type { PhoneNumberRecord, TokenRecord } from '../store/records.ts';
import type { LimitedCallWindow, Store } from '../store/store.ts';
import {
  codeRequestLimit,
  invalidParameter,
  pinMismatch,
  registerRateLimit,
  unsupportedRequest,
  verifyCode,
} from './graph-error.ts';
import { COMMON_PARAMS, type ObjectCall } from './graph-objects.ts';
import { renderBody, type RenderedBody } from './rendered-body.ts';

/** The node's lifecycle edges (phone-number.md §5.2). */
export const LIFECYCLE_EDGES = ['request_code', 'verify_code', 'register', 'deregister'] as const;
export type LifecycleEdge = (typeof LIFECYCLE_EDGES)[number];

export function isLifecycleEdge(name: string): name is LifecycleEdge {
  return (LIFECYCLE_EDGES as readonly string[]).includes(name);
}

/** graph-api.md §2: the code edges need management; register, deregister and node POST either. */
const EDGE_PERMISSION: Readonly<Record<LifecycleEdge, PermissionNeed>> = {
  request_code: 'whatsapp_business_management',
  verify_code: 'whatsapp_business_management',
  register: 'any',
  deregister: 'any',
};

/**
 * Meta's documented limits (phone-number.md §5.2): 10 `register` and `deregister` calls together, and
 * 10 `request_code` calls, per number in a rolling 72 hours; a call refused by its limit is not counted.
 */
export const CALL_LIMITS: Readonly<
  Record<LimitedCallWindow, { readonly max: number; readonly windowMs: number; readonly error: () => Error }>
> = {
  register: { max: 10, windowMs: 72 * 3_600_000, error: registerRateLimit },
  request_code: { max: 10, windowMs: 72 * 3_600_000, error: codeRequestLimit },
};

/** The oldest version on which the node accepts POST (phone-number.md intro). */
const NODE_POST_SINCE: GraphVersion = 'v14.0';
const NODE_PARAMS = ['pin', 'webhook_configuration', 'new_display_name'];
/** phone-number.md intro: a requested display name is 1-512 characters. */
const MAX_DISPLAY_NAME = 512;
const PIN_SHAPE = /^\d{6}$/;

export interface LifecycleDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Wakes the webhook dispatcher after a committed change (no-op without one). */
  readonly notify: () => void;
}

const SUCCESS = renderBody({ success: true });

/** Before v14.0 the node is read-only: POST stays 100/33 like any unsupported method. */
export function acceptsNodePost(version: GraphVersion): boolean {
  return versionIndex(version) >= versionIndex(NODE_POST_SINCE);
}

function required(call: ObjectCall, name: string): string {
  const value = call.request.params[name];
  if (value === undefined || value === '') throw invalidParameter('required', { name });
  return value;
}

function pinOf(call: ObjectCall): string {
  const pin = required(call, 'pin');
  if (!PIN_SHAPE.test(pin)) throw invalidParameter('pin');
  return pin;
}

/** `webhook_configuration` as JSON (already a string here): `""` as the URL removes the override. */
function overrideOf(raw: string): Exclude<NodeSettings['override'], undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter('webhookConfiguration');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidParameter('webhookConfiguration');
  const { override_callback_uri: url, verify_token: token } = parsed as Record<string, unknown>;
  if (url === '') return null;
  if (typeof url !== 'string' || !isHttpUrl(url) || typeof token !== 'string')
    throw invalidParameter('webhookConfiguration');
  return { url, verify_token: token };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function refusalError(refusal: EdgeRefusal, action: string, status: string): Error {
  return refusal.refused === 'must_verify'
    ? invalidParameter('mustVerify')
    : invalidParameter('wrongStatus', { action, status });
}

/** `request_code`, `verify_code`, `register`, `deregister` and POST on the node (v14.0+). */
export class LifecycleEdges {
  readonly #deps: LifecycleDeps;

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  #context(call: ObjectCall): ChangeContext {
    return { actor: `graph:${call.app.id}`, at: this.#deps.clock.now() };
  }

  /** Commits through the one lifecycle path (history, outbox) and wakes the dispatcher when a delivery waits. */
  async #commit(change: PlannedChange | null, at: Date): Promise<void> {
    if (change === null) return;
    if (await commitChange(this.#deps.store, change, at)) this.#deps.notify();
  }

  /**
   * `/{phone}/{edge}` is POST only, and a token without the edge's permission sees no object: both are
   * 100/33, checked before the rate-limit window (graph-api.md §3 order).
   */
  refuse(edge: LifecycleEdge, method: string, token: TokenRecord, context: PhoneNumberContext): void {
    if (method !== 'POST' || !canAccessWaba(token, context.app, context.waba, EDGE_PERMISSION[edge]))
      throw unsupportedRequest(method === 'HEAD' ? 'GET' : method, context.number.id);
  }

  async edge(call: ObjectCall, context: PhoneNumberContext, edge: LifecycleEdge): Promise<RenderedBody> {
    this.refuse(edge, call.method, call.token, context);
    if (edge === 'request_code') return this.#requestCode(call, context);
    if (edge === 'verify_code') return this.#verifyCode(call, context);
    if (edge === 'register') return this.#register(call, context);
    return this.#deregister(call, context);
  }

  /** Counts the call in its window on the injected clock, or refuses it (not counted) past the limit. */
  async #admit(window: LimitedCallWindow, number: PhoneNumberRecord): Promise<void> {
    const limit = CALL_LIMITS[window];
    const at = this.#deps.clock.now();
    const since = new Date(at.getTime() - limit.windowMs).toISOString();
    if (!(await this.#deps.store.admitLimitedCall(window, number.id, at.toISOString(), since, limit.max)))
      throw limit.error();
  }

  async #requestCode(call: ObjectCall, { number }: PhoneNumberContext): Promise<RenderedBody> {
    call.knows(['code_method', 'language']);
    const method = required(call, 'code_method');
    if (!isCodeMethod(method)) throw invalidParameter('codeMethod', { value: method });
    const language = required(call, 'language');
    await this.#admit('request_code', number);
    await issueOtp(this.#deps.store, {
      phoneNumberId: number.id,
      codeMethod: method,
      language,
      now: this.#deps.clock.now(),
    });
    return SUCCESS;
  }

  async #verifyCode(call: ObjectCall, { number }: PhoneNumberContext): Promise<RenderedBody> {
    call.knows(['code']);
    const code = required(call, 'code');
    const context = this.#context(call);
    const check = checkOtp(await this.#deps.store.getOtp(number.id), code, context.at);
    if (check !== 'ok') throw verifyCode(VERIFY_CODE_REASONS[check]);
    await this.#commit(planCodeVerified(number, context), context.at);
    return SUCCESS;
  }

  async #register(call: ObjectCall, { number }: PhoneNumberContext): Promise<RenderedBody> {
    call.knows(['messaging_product', 'pin']);
    const product = required(call, 'messaging_product');
    if (product !== 'whatsapp') throw invalidParameter('messagingProduct', { value: product });
    const pin = pinOf(call);
    // A PIN that does not match the stored one is refused before anything changes or counts (133005);
    // then the limit, before the state rules (graph-api.md §3 order).
    if (number.pin_hash !== null && !(await pinMatches(pin, number.pin_hash))) throw pinMismatch();
    await this.#admit('register', number);
    const context = this.#context(call);
    const pinHash = number.pin_hash === null ? await hashPin(pin) : null;
    const planned = planRegister(number, context, pinHash);
    if (planned !== null && 'refused' in planned) throw refusalError(planned, 'registered', number.status);
    await this.#commit(planned, context.at);
    return SUCCESS;
  }

  async #deregister(call: ObjectCall, { number }: PhoneNumberContext): Promise<RenderedBody> {
    call.knows([]);
    await this.#admit('register', number);
    const context = this.#context(call);
    const planned = planDeregister(number, context);
    if (planned !== null && 'refused' in planned) throw refusalError(planned, 'deregistered', number.status);
    await this.#commit(planned, context.at);
    return SUCCESS;
  }

  /** `POST /{v}/{phone}` on a version that `acceptsNodePost`. */
  async node(call: ObjectCall, { number }: PhoneNumberContext): Promise<RenderedBody> {
    call.knows(NODE_PARAMS);
    const params = call.request.params;
    for (const name of Object.keys(params)) {
      if (!COMMON_PARAMS.includes(name) && !NODE_PARAMS.includes(name))
        throw invalidParameter('nodeParam', { name });
    }
    const settings: {
      pinHash?: string;
      override?: Exclude<NodeSettings['override'], undefined>;
      newDisplayName?: string;
    } = {};
    const pin = params.pin === undefined ? undefined : pinOf(call);
    if (params.webhook_configuration !== undefined)
      settings.override = overrideOf(params.webhook_configuration);
    if (params.new_display_name !== undefined) {
      const name = required(call, 'new_display_name');
      if ([...name].length > MAX_DISPLAY_NAME)
        throw invalidParameter('tooLong', { name: 'new_display_name', n: MAX_DISPLAY_NAME });
      settings.newDisplayName = name;
    }
    if (pin !== undefined) settings.pinHash = await hashPin(pin);
    if (Object.keys(settings).length === 0)
      throw invalidParameter('required', { name: 'pin, webhook_configuration or new_display_name' });
    const context = this.#context(call);
    await this.#commit(planNodeSettings(number, settings, context), context.at);
    return SUCCESS;
  }
}
