import { timingSafeEqual } from 'node:crypto';
import { servesEdge } from '../contract/graph-routes.ts';
import { isNativeVersion, NEWEST_VERSION, type GraphVersion } from '../contract/versions.ts';
import { canAccessWaba } from '../domain/access.ts';
import type { Clock } from '../domain/clock.ts';
import { PHONE_NUMBER_FIELD_VALUES, type PhoneNumberContext } from '../domain/phone-number-view.ts';
import { QrImageSigner } from '../domain/qr-images.ts';
import type { AppRecord, PhoneNumberRecord, TokenRecord, WabaRecord } from '../store/records.ts';
import type { CacheBudget } from '../store/cache-budget.ts';
import type { Store } from '../store/store.ts';
import {
  authenticate,
  checkAppsecretProof,
  extractAccessToken,
  isTokenShaped,
  TokenDigests,
} from './access-token.ts';
import { BATCH_PARAMS, itemRequest, itemResult, parseBatch, runBatch } from './batch.ts';
import { CursorCodec } from './cursor.ts';
import { errorEnvelope, wwwAuthenticate } from './envelope.ts';
import {
  hasEdge,
  projectNode,
  SelectionCache,
  timeWriter,
  type NodeTypeDescriptor,
  type Selection,
} from './field-selection.ts';
import { nodeMetadata, wantsMetadata, withMetadata } from './node-metadata.ts';
import { FaultRules, injectedError } from '../faults/fault-rules.ts';
import type { BucAccounting, BucTicket } from '../limits/buc-accounting.ts';
import {
  aliasUnknown,
  bucRateLimit,
  GraphError,
  invalidParameter,
  toGraphError,
  unknownError,
  unknownPath,
  unsupportedRequest,
} from './graph-error.ts';
import { COMMON_PARAMS, GraphObjects, type ObjectCall } from './graph-objects.ts';
import { acceptsNodePost, isLifecycleEdge, LifecycleEdges } from './lifecycle-edges.ts';
import { BUSINESS_PROFILE_EDGE, BusinessProfileEdge } from './business-profile-edge.ts';
import { parseGraphPath, type GraphPath } from './graph-path.ts';
import { parseIds, readMany } from './multi-id-read.ts';
import type { GraphRequest, GraphResponse } from './graph-request.ts';
import { PHONE_NUMBER_NODE } from './node-types.ts';
import { etagOf, renderBody, RenderedBodyMemo, type RenderedBody } from './rendered-body.ts';
import type { RequestIds } from './request-ids.ts';
import { graphHeaders, JSON_CONTENT_TYPE, JSONP_CONTENT_TYPE, OPTIONS_HEADERS } from './response-headers.ts';
import { encodeGraphJson, escapeHeaderValue } from './wire-json.ts';

export interface GraphLogger {
  error(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

/**
 * Cached answers the read fast path uses when the store keeps them (CachedStore): undefined = not
 * cached, null = cached as absent. Without them every read takes the full path.
 */
export interface CachedLookups {
  peekPhoneNumber(id: string): PhoneNumberRecord | null | undefined;
  /** Cached, or read synchronously and kept when the store can; undefined when it cannot. */
  readPhoneNumberNow?(id: string): PhoneNumberRecord | null | undefined;
  peekTokenByDigest(digest: string): TokenRecord | null | undefined;
  peekApp(id: string): AppRecord | null | undefined;
  peekWaba(id: string): WabaRecord | null | undefined;
}

function hasCachedLookups(store: Store): store is Store & CachedLookups {
  const lookups = store as Store & Partial<CachedLookups>;
  return (
    typeof lookups.peekPhoneNumber === 'function' &&
    typeof lookups.peekTokenByDigest === 'function' &&
    typeof lookups.peekApp === 'function' &&
    typeof lookups.peekWaba === 'function'
  );
}

/** A phone-number read whose every input was cached, checked up to (not including) the BUC admission. */
interface CachedRead {
  readonly version: GraphVersion;
  readonly selection: Selection;
  readonly context: PhoneNumberContext;
  readonly nowMs: number;
}

/** `/{version}/{id}` or `/{id}`: the only paths the fast path takes (no edge, no encoding, no slashes). */
const PLAIN_NODE_PATH = /^\/(?:(v\d+\.\d+)\/)?(\d+)$/;

export interface GraphHandlerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: RequestIds;
  readonly logger: GraphLogger;
  readonly buc: BucAccounting;
  readonly faults: FaultRules;
  /** `--public-url`: the base of paging links and QR image URLs instead of the Host header. */
  readonly publicUrl?: string;
  /** Woken after a lifecycle edge commits a change, so its webhooks go out now. */
  readonly dispatcher?: { notify(): void };
  /** The read cache's byte budget, which the rendered-body memo shares (a private one when absent). */
  readonly cacheBudget?: CacheBudget;
}

/** Options that shape how any response, success or error, is written (graph-api.md §6). */
interface OutputOptions {
  readonly pretty: boolean;
  readonly suppressHttpCode: boolean;
  readonly callback: string | undefined;
}

const CALLBACK_SHAPE = /^[A-Za-z0-9_.$]+$/;
/** Our choice (docs/fidelity.md): a longer JSONP callback name is ignored (plain JSON). */
export const MAX_CALLBACK_LENGTH = 256;
const TUNNELLED_METHODS = new Set(['GET', 'POST', 'DELETE']);

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/** The output of every request without `pretty`, `suppress_http_code` or `callback`. */
const DEFAULT_OUTPUT: OutputOptions = { pretty: false, suppressHttpCode: false, callback: undefined };

function outputOptions(params: Readonly<Record<string, string>>): OutputOptions {
  const callback = params.callback;
  if (callback === undefined && params.pretty === undefined && params.suppress_http_code === undefined)
    return DEFAULT_OUTPUT;
  return {
    pretty: isTrue(params.pretty),
    suppressHttpCode: isTrue(params.suppress_http_code),
    callback:
      callback !== undefined && callback.length <= MAX_CALLBACK_LENGTH && CALLBACK_SHAPE.test(callback)
        ? callback
        : undefined,
  };
}

/** `method=` tunnels GET and POST to another method (graph-api.md §6). */
function effectiveMethod(request: GraphRequest): string {
  const tunnelled = request.params.method;
  if (tunnelled === undefined || (request.method !== 'GET' && request.method !== 'POST'))
    return request.method;
  const method = tunnelled.toUpperCase();
  if (!TUNNELLED_METHODS.has(method)) throw invalidParameter('method');
  return method;
}

/** A fault rule asked for the connection to be dropped: no response at all. */
class DroppedConnection extends Error {}

/** The path a fault rule's regex runs on: no query, single slashes, no trailing slash. */
function normalizedPath(path: string): string {
  return `/${path
    .split('/')
    .filter((segment) => segment !== '')
    .join('/')}`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const value = Buffer.from(candidate.trim());
    const expected = Buffer.from(etag);
    return value.length === expected.length && timingSafeEqual(value, expected);
  });
}

/** Per-request state the error path needs: which version answered and the ids. */
interface Exchange {
  version: GraphVersion;
  readonly traceId: string;
  readonly requestId: string;
  readonly debugId: string;
  readonly output: OutputOptions;
  /** The method after `method=` tunnelling; ETags follow it. */
  method: string;
  /** Set once the call counts for a (app, WABA) rate-limit key. */
  buc?: BucTicket;
  /** The expired version the path named, for `debug=all`. */
  expiredVersion: string | null;
  /** Parameters the route understood, for `debug=all`; null = every one. */
  known: Set<string> | null;
}

const DEBUG_LINK = 'https://developers.facebook.com/docs/graph-api';
const VERSIONS_LINK = 'https://developers.facebook.com/docs/graph-api/guides/versioning';

/** The Graph read path of the phone-number node, from request to response, with no HTTP framework. */
export class GraphHandler {
  readonly #deps: GraphHandlerDeps;
  readonly #selections = new SelectionCache();
  readonly #rendered: RenderedBodyMemo;
  readonly #lifecycle: LifecycleEdges;
  readonly #profiles: BusinessProfileEdge;
  readonly #digests = new TokenDigests();
  readonly #lookups: (Store & CachedLookups) | undefined;
  #objects: Promise<GraphObjects> | undefined;

  constructor(deps: GraphHandlerDeps) {
    this.#deps = deps;
    this.#rendered = new RenderedBodyMemo(deps.cacheBudget);
    this.#lookups = hasCachedLookups(deps.store) ? deps.store : undefined;
    this.#lifecycle = new LifecycleEdges({
      store: deps.store,
      clock: deps.clock,
      notify: () => deps.dispatcher?.notify(),
    });
    this.#profiles = new BusinessProfileEdge({
      store: deps.store,
      clock: deps.clock,
      publicUrl: deps.publicUrl?.replace(/\/+$/, ''),
    });
  }

  /** Edges and lists need the store's secrets; read once, on the first call that needs them. */
  #graphObjects(): Promise<GraphObjects> {
    this.#objects ??= (async () => {
      const store = this.#deps.store;
      const [cursors, images] = await Promise.all([
        CursorCodec.fromStore(store),
        QrImageSigner.fromStore(store),
      ]);
      return new GraphObjects({
        store,
        clock: this.#deps.clock,
        cursors,
        images,
        publicUrl: this.#deps.publicUrl?.replace(/\/+$/, ''),
      });
    })();
    this.#objects.catch(() => {
      this.#objects = undefined;
    });
    return this.#objects;
  }

  options(): GraphResponse {
    return { status: 204, headers: [...OPTIONS_HEADERS], body: '' };
  }

  /**
   * Answers one request. A plain read of a cached phone number is answered synchronously (no promise
   * at all with the in-memory BUC window); anything else takes the full asynchronous path. Both give
   * the same bytes: the fast path only takes requests whose every check it can decide from cached
   * answers before the call counts, and hands every other request to the full path untouched.
   */
  handle(request: GraphRequest): GraphResponse | Promise<GraphResponse> {
    const read = this.#cachedRead(request);
    return read === undefined ? this.#handle(request) : this.#answerCachedRead(request, read);
  }

  #exchange(request: GraphRequest): Exchange {
    return {
      version: NEWEST_VERSION,
      traceId: this.#deps.ids.traceId(),
      requestId: this.#deps.ids.requestId(),
      debugId: this.#deps.ids.debugId(),
      output: outputOptions(request.params),
      method: request.method,
      expiredVersion: null,
      known: null,
    };
  }

  /**
   * The checks of the full path for `GET /{v}/{id}?fields=…` with a token, decided from cached answers
   * only: token known, live, its app without `appsecret_proof_required`, the number visible to it, the
   * fields valid and without edges. Undefined whenever anything is not cached or not that plain case
   * (another parameter, fault rules, an error to answer): nothing has been counted or changed then.
   */
  #cachedRead(request: GraphRequest): CachedRead | undefined {
    const lookups = this.#lookups;
    if (lookups === undefined || request.inputError !== undefined || request.inBatch === true)
      return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    if (this.#deps.faults.size !== 0) return undefined;
    const params = request.params;
    for (const name in params) if (name !== 'fields' && name !== 'access_token') return undefined;
    const path = PLAIN_NODE_PATH.exec(request.path);
    if (path === null) return undefined;
    const named = path[1];
    if (named !== undefined && !isNativeVersion(named)) return undefined;
    const token = extractAccessToken(params.access_token, request.authorization);
    if (token === undefined || !isTokenShaped(token)) return undefined;
    // Keyed by the whole digest: a hit is an exact match, the constant-time comparison has nothing to add.
    const record = lookups.peekTokenByDigest(this.#digests.of(token));
    if (record === undefined || record === null || record.revoked) return undefined;
    const nowMs = this.#deps.clock.now().getTime();
    if (record.expires_at !== null && Date.parse(record.expires_at) <= nowMs) return undefined;
    const app = lookups.peekApp(record.app_id);
    if (app === undefined || app === null || app.appsecret_proof_required) return undefined;
    let number: PhoneNumberRecord | null | undefined;
    try {
      // A number not cached yet is read at once when the store reads synchronously (SQLite): random ids
      // over a state larger than the cache budget stay on this path. A failing read takes the full path.
      number =
        lookups.readPhoneNumberNow === undefined
          ? lookups.peekPhoneNumber(path[2] as string)
          : lookups.readPhoneNumberNow(path[2] as string);
    } catch {
      return undefined;
    }
    if (number === undefined || number === null) return undefined;
    const waba = lookups.peekWaba(number.waba_id);
    if (waba === undefined || waba === null || !canAccessWaba(record, app, waba, 'any')) return undefined;
    const version = named ?? app.api_version ?? NEWEST_VERSION;
    let selection: Selection;
    try {
      selection = this.#selections.get(params.fields, PHONE_NUMBER_NODE, version);
    } catch {
      return undefined;
    }
    if (hasEdge(selection)) return undefined;
    return { version, selection, context: { number, waba, app }, nowMs };
  }

  /** Counts the call, then answers it as `#phoneNumberRead` would, from the memoized body. */
  #answerCachedRead(request: GraphRequest, read: CachedRead): GraphResponse | Promise<GraphResponse> {
    const exchange = this.#exchange(request);
    exchange.version = read.version;
    let ticket: BucTicket | Promise<BucTicket>;
    try {
      ticket = this.#deps.buc.admit(read.context.app, read.context.waba, read.nowMs);
    } catch (error) {
      return this.#failure(toGraphError(error), exchange, error);
    }
    if (ticket instanceof Promise) {
      return ticket.then(
        (admitted) => this.#cachedReadAnswer(request, read, exchange, admitted),
        (error: unknown) => this.#failure(toGraphError(error), exchange, error),
      );
    }
    return this.#cachedReadAnswer(request, read, exchange, ticket);
  }

  #cachedReadAnswer(
    request: GraphRequest,
    read: CachedRead,
    exchange: Exchange,
    ticket: BucTicket,
  ): GraphResponse {
    exchange.buc = ticket;
    try {
      this.#refuseIfFull(exchange);
      const { number, app, waba } = read.context;
      const body = this.#rendered.get(number, read.selection, app, waba, () =>
        projectNode(read.selection, read.context, PHONE_NUMBER_FIELD_VALUES),
      );
      return this.#success(body, request, exchange);
    } catch (error) {
      return this.#failure(toGraphError(error), exchange, error);
    }
  }

  async #handle(request: GraphRequest): Promise<GraphResponse> {
    const exchange = this.#exchange(request);
    try {
      const body = await this.#serve(request, exchange);
      return this.#success(body, request, exchange);
    } catch (error) {
      // A batch item has no connection of its own to drop: it fails as code 1 (control-plane.md §3).
      if (error instanceof DroppedConnection && request.inBatch !== true) {
        return { status: 0, headers: [], body: '', drop: true };
      }
      return this.#failure(toGraphError(error), exchange, error);
    }
  }

  async #serve(request: GraphRequest, exchange: Exchange): Promise<RenderedBody> {
    const parsed = parseGraphPath(request.path);
    const named = parsed.ok ? parsed.path.version : parsed.version;
    if (named !== null) exchange.version = named;
    // Size and body-parse failures come first in Graph's order, but still name the path's version.
    if (request.inputError !== undefined) throw request.inputError;
    if (!parsed.ok) {
      if (parsed.error.key === 'noObject' && request.method === 'POST' && request.inBatch !== true)
        return this.#batch(request, exchange, parsed.version);
      if (parsed.error.key !== 'noObject' || request.params.ids === undefined) throw parsed.error;
      // `GET /{v}/?ids=A,B` (graph-api.md §1): each id is read as `GET /{v}/{id}` would be.
      const versionOfPath = parsed.version;
      const { record, app } = await this.#caller(request);
      if (versionOfPath === null) exchange.version = app.api_version ?? NEWEST_VERSION;
      await this.#applyFault(
        request,
        { version: versionOfPath, expiredVersion: null, objectId: '', rest: [] },
        app,
      );
      const method = effectiveMethod(request);
      exchange.method = method;
      if (method !== 'GET' && method !== 'HEAD') throw parsed.error;
      const ids = parseIds(request.params.ids);
      const body = await readMany(ids, (id) => {
        if (exchange.buc !== undefined) this.#deps.buc.finish(exchange.buc);
        const path = { version: exchange.version, expiredVersion: null, objectId: id, rest: [] };
        return this.#object(path, exchange, record, app, request);
      });
      exchange.known = new Set([...COMMON_PARAMS, 'ids']);
      return body;
    }
    const path = parsed.path;
    exchange.expiredVersion = path.expiredVersion;
    const { record, app } = await this.#caller(request);
    if (path.version === null) exchange.version = app.api_version ?? NEWEST_VERSION;
    await this.#applyFault(request, path, app);
    return this.#object(path, exchange, record, app, request);
  }

  /** Token present, known, live; its app; `appsecret_proof` (graph-api.md §3 order). */
  async #caller(request: GraphRequest): Promise<{ record: TokenRecord; app: AppRecord }> {
    const token = extractAccessToken(request.params.access_token, request.authorization);
    const record = await authenticate(token, this.#deps.store, this.#deps.clock.now(), this.#digests);
    const app = await this.#deps.store.getApp(record.app_id);
    if (app === undefined) throw toGraphError(new Error(`token of unknown app ${record.app_id}`));
    checkAppsecretProof(app, token as string, request.params.appsecret_proof);
    return { record, app };
  }

  /** Fault rules run after the token checks and before the object is resolved (control-plane.md §3). */
  async #applyFault(request: GraphRequest, path: GraphPath, app: AppRecord): Promise<void> {
    if (this.#deps.faults.size === 0) return;
    const rule = await this.#deps.faults.match({
      method: request.method,
      path: normalizedPath(request.path),
      phoneNumber: /^\d+$/.test(path.objectId) ? path.objectId : undefined,
      appId: app.id,
    });
    if (rule === undefined) return;
    const action = rule.action;
    if ('graph_error' in action) {
      const injected = injectedError(action.graph_error);
      throw new GraphError('injected', injected.row, injected.message);
    }
    if ('drop_connection' in action) throw new DroppedConnection();
    await new Promise((resolve) => setTimeout(resolve, action.delay_ms));
  }

  /**
   * Missing and invisible objects get the same answer, so a token cannot probe other accounts. A
   * numeric id is a phone number or else a WABA.
   */
  async #object(
    path: GraphPath,
    exchange: Exchange,
    token: TokenRecord,
    app: AppRecord,
    request: GraphRequest,
  ): Promise<RenderedBody> {
    const id = path.objectId;
    if (!/^\d+$/.test(id)) throw aliasUnknown(id);
    const store = this.#deps.store;
    const number = await store.getPhoneNumber(id);
    if (number !== undefined) {
      const waba = await store.getWaba(number.waba_id);
      if (waba !== undefined && canAccessWaba(token, app, waba, 'any')) {
        await this.#count(exchange, app, waba);
        return this.#phoneNumberNode(path, exchange, { number, waba, app }, token, request);
      }
    } else {
      const waba = await store.getWaba(id);
      if (waba !== undefined && canAccessWaba(token, app, waba, 'any')) {
        await this.#count(exchange, app, waba);
        if (!servesEdge('waba', path.rest)) throw unknownPath(path.rest.join('/'));
        const call = this.#call(request, exchange, token, app);
        return (await this.#graphObjects()).waba(call, waba, path.rest);
      }
    }
    throw unsupportedRequest(request.method === 'HEAD' ? 'GET' : request.method, id);
  }

  /**
   * From the moment its object is visible a call counts (rate-limits.md), whatever happens next; a
   * full window refuses it once the edge and method are known (`#refuseIfFull`).
   */
  async #count(exchange: Exchange, app: AppRecord, waba: WabaRecord): Promise<void> {
    exchange.buc = await this.#deps.buc.admit(app, waba, () => this.#deps.clock.now().getTime());
  }

  #refuseIfFull(exchange: Exchange): void {
    if (exchange.buc !== undefined && !exchange.buc.admission.admitted) throw bucRateLimit();
  }

  async #phoneNumberNode(
    path: GraphPath,
    exchange: Exchange,
    context: PhoneNumberContext,
    token: TokenRecord,
    request: GraphRequest,
  ): Promise<RenderedBody> {
    const edge = path.rest[0];
    // The served edges are rows of contract/graph-routes.ts; anything else is an unknown path.
    if (!servesEdge('phoneNumber', path.rest)) throw unknownPath(path.rest.join('/'));
    if (edge !== undefined && path.rest.length === 1 && isLifecycleEdge(edge)) {
      this.#lifecycle.refuse(edge, effectiveMethod(request), token, context);
      const call = this.#call(request, exchange, token, context.app);
      return this.#lifecycle.edge(call, context, edge);
    }
    if (edge === BUSINESS_PROFILE_EDGE) {
      const call = this.#call(request, exchange, token, context.app);
      return this.#profiles.edge(call, context, path.rest.slice(1));
    }
    // Else `message_qrdls` and `message_qrdls/{code}`.
    if (edge !== undefined) {
      const call = this.#call(request, exchange, token, context.app);
      return (await this.#graphObjects()).qrCodes(call, context.number, path.rest.slice(1));
    }
    // `method=` is a parameter: read once the object and edge are known, before the method check.
    const method = effectiveMethod(request);
    exchange.method = method;
    if (method === 'POST' && acceptsNodePost(exchange.version)) {
      const call = this.#call(request, exchange, token, context.app);
      return this.#lifecycle.node(call, context);
    }
    if (method !== 'GET' && method !== 'HEAD') throw unsupportedRequest(method, path.objectId);
    this.#refuseIfFull(exchange);
    const selection = this.#selections.get(request.params.fields, PHONE_NUMBER_NODE, exchange.version);
    if (wantsMetadata(request)) {
      const read = await this.#phoneNumberRead(selection, context, token, request, exchange);
      const base = this.#deps.publicUrl?.replace(/\/+$/, '') ?? `http://${request.host ?? 'localhost'}`;
      return withMetadata(
        read,
        nodeMetadata(PHONE_NUMBER_NODE, context.number.id, exchange.version, { base, request }),
      );
    }
    return this.#phoneNumberRead(selection, context, token, request, exchange);
  }

  async #phoneNumberRead(
    selection: Selection,
    context: PhoneNumberContext,
    token: TokenRecord,
    request: GraphRequest,
    exchange: Exchange,
  ): Promise<RenderedBody> {
    if (hasEdge(selection)) {
      const call = this.#call(request, exchange, token, context.app);
      return (await this.#graphObjects()).phoneNumberWithEdges(call, selection, context);
    }
    // `date_format` changes how time fields read: such answers are built per request, not memoized.
    const dateFormat = request.params.date_format;
    if (dateFormat !== undefined && dateFormat !== '')
      return renderBody(
        projectNode(selection, context, PHONE_NUMBER_FIELD_VALUES, undefined, timeWriter(dateFormat)),
      );
    return this.#rendered.get(context.number, selection, context.app, context.waba, () =>
      projectNode(selection, context, PHONE_NUMBER_FIELD_VALUES),
    );
  }

  /** What an edge handler needs; the method check happens here, after the object and the edge. */
  #call(request: GraphRequest, exchange: Exchange, token: TokenRecord, app: AppRecord): ObjectCall {
    const method = effectiveMethod(request);
    exchange.method = method;
    // Edge handlers check their methods themselves; a full window is refused before any of their work.
    this.#refuseIfFull(exchange);
    const version = exchange.version;
    return {
      request,
      version,
      token,
      app,
      method: method === 'HEAD' ? 'GET' : method,
      knows: (params) => {
        exchange.known = new Set([...COMMON_PARAMS, ...params]);
      },
      selections: (node: NodeTypeDescriptor) => this.#selections.get(request.params.fields, node, version),
      writeTime: timeWriter(request.params.date_format),
    };
  }

  /** `POST /` and `POST /{version}/` (graph-api.md §7): every item runs through `handle`. */
  async #batch(
    request: GraphRequest,
    exchange: Exchange,
    version: GraphVersion | null,
  ): Promise<RenderedBody> {
    exchange.known = new Set([...COMMON_PARAMS, ...BATCH_PARAMS]);
    const items = parseBatch(request.params.batch);
    const includeHeaders = request.params.include_headers !== 'false';
    const context = {
      version,
      accessToken: request.params.access_token,
      appsecretProof: request.params.appsecret_proof,
      authorization: request.authorization,
      host: request.host,
      secure: request.secure,
    };
    const responses = await runBatch(
      items,
      async (item) => this.handle(itemRequest(item, context)),
      (name) => {
        const failed: Exchange = {
          version: version ?? exchange.version,
          traceId: this.#deps.ids.traceId(),
          requestId: this.#deps.ids.requestId(),
          debugId: this.#deps.ids.debugId(),
          output: outputOptions({}),
          method: 'POST',
          expiredVersion: null,
          known: null,
        };
        return this.#failure(invalidParameter('dependencyFailed', { name }), failed, undefined);
      },
    );
    return renderBody(responses.map((response) => itemResult(response, includeHeaders)));
  }

  /** `debug=all` (graph-api.md §6): warnings as the last key of a successful object body. */
  #debugMessages(request: GraphRequest, exchange: Exchange): Record<string, string>[] {
    const messages: Record<string, string>[] = [];
    if (exchange.expiredVersion !== null) {
      messages.push({
        message: `The API version ${exchange.expiredVersion} is no longer available; this request was served by ${exchange.version}.`,
        type: 'warning',
        link: VERSIONS_LINK,
      });
    }
    const known = exchange.known ?? new Set(COMMON_PARAMS);
    for (const name of Object.keys(request.params)) {
      if (!known.has(name))
        messages.push({
          message: `Unknown parameter ${name} was ignored.`,
          type: 'warning',
          link: DEBUG_LINK,
        });
    }
    return messages;
  }

  #encode(value: unknown, output: OutputOptions): string {
    const json = encodeGraphJson(value, output.pretty);
    return output.callback === undefined ? json : `/**/ ${output.callback}(${json});`;
  }

  #contentType(output: OutputOptions): string {
    return output.callback === undefined ? JSON_CONTENT_TYPE : JSONP_CONTENT_TYPE;
  }

  #success(served: RenderedBody, request: GraphRequest, exchange: Exchange): GraphResponse {
    const output = exchange.output;
    let rendered = served;
    const value = served.value;
    if (
      request.params.debug === 'all' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      rendered = renderBody({ ...value, __debug__: { messages: this.#debugMessages(request, exchange) } });
    }
    const plain = !output.pretty && output.callback === undefined;
    const body = plain ? rendered.json : this.#encode(rendered.value, output);
    const isRead = exchange.method === 'GET' || exchange.method === 'HEAD';
    const etag = isRead ? (plain ? rendered.etag : etagOf(body)) : undefined;
    const headers = graphHeaders({
      contentType: this.#contentType(exchange.output),
      version: exchange.version,
      requestId: exchange.requestId,
      traceId: exchange.traceId,
      debugId: exchange.debugId,
      isError: false,
      bucUsage: exchange.buc === undefined ? undefined : this.#deps.buc.finish(exchange.buc),
      etag,
    });
    if (etag !== undefined && etagMatches(request.ifNoneMatch, etag))
      return { status: 304, headers, body: '', traceId: exchange.traceId };
    return { status: 200, headers, body, traceId: exchange.traceId };
  }

  /** An exchange for answers given without a parsed request: newest version, default output. */
  #bareExchange(): Exchange {
    return {
      version: NEWEST_VERSION,
      traceId: this.#deps.ids.traceId(),
      requestId: this.#deps.ids.requestId(),
      debugId: this.#deps.ids.debugId(),
      output: outputOptions({}),
      method: 'GET',
      expiredVersion: null,
      known: null,
    };
  }

  /**
   * A code-1 answer for a throw outside `handle` (after the request was taken over from the framework):
   * logged with its cause, never echoed; the connection closes after it.
   */
  unexpected(cause: unknown): GraphResponse {
    const exchange = this.#bareExchange();
    return { ...this.#failure(unknownError(cause), exchange, cause), close: true };
  }

  /** A request Node's HTTP parser refused: a minimal Graph error (code 100), the connection then closes. */
  malformed(detail: 'malformedRequest' | 'headersTooLarge'): GraphResponse {
    const exchange = this.#bareExchange();
    return { ...this.#failure(invalidParameter(detail), exchange, undefined), close: true };
  }

  #failure(error: GraphError, exchange: Exchange, cause: unknown): GraphResponse {
    if (error.key === 'injected') {
      // An injected fault is asked for: one line, no stack (docs/faults.md).
      this.#deps.logger.info(
        { code: error.code, subcode: error.subcode, fbtrace_id: exchange.traceId },
        'injected fault',
      );
    } else if (error.code === 1 || error.code === 2) {
      this.#deps.logger.error({ err: error.cause ?? cause, fbtrace_id: exchange.traceId }, error.message);
    }
    const body = this.#encode(errorEnvelope(error, exchange.traceId, exchange.version), exchange.output);
    const headers = graphHeaders({
      contentType: this.#contentType(exchange.output),
      version: exchange.version,
      requestId: exchange.requestId,
      traceId: exchange.traceId,
      debugId: exchange.debugId,
      isError: true,
      wwwAuthenticate: escapeHeaderValue(wwwAuthenticate(error, exchange.version)),
      ...(exchange.buc === undefined ? {} : { bucUsage: this.#deps.buc.finish(exchange.buc) }),
    });
    const status = exchange.output.suppressHttpCode ? 200 : error.httpStatus;
    return {
      status,
      headers,
      body,
      traceId: exchange.traceId,
      errorCode: error.code,
      errorSubcode: error.subcode,
    };
  }
}
