import { timingSafeEqual } from 'node:crypto';
import { NEWEST_VERSION, type GraphVersion } from '../contract/versions.ts';
import { canAccessWaba } from '../domain/access.ts';
import type { Clock } from '../domain/clock.ts';
import { PHONE_NUMBER_FIELD_VALUES, type PhoneNumberContext } from '../domain/phone-number-view.ts';
import type { AppRecord, TokenRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { authenticate, checkAppsecretProof, extractAccessToken } from './access-token.ts';
import { errorEnvelope, wwwAuthenticate } from './envelope.ts';
import { projectNode, SelectionCache } from './field-selection.ts';
import { FaultRules, injectedError } from '../faults/fault-rules.ts';
import type { BucAccounting, BucTicket } from '../limits/buc-accounting.ts';
import {
  aliasUnknown,
  bucRateLimit,
  GraphError,
  invalidParameter,
  toGraphError,
  unknownPath,
  unsupportedRequest,
} from './graph-error.ts';
import { parseGraphPath, type GraphPath } from './graph-path.ts';
import type { GraphRequest, GraphResponse } from './graph-request.ts';
import { PHONE_NUMBER_NODE } from './node-types.ts';
import { etagOf, RenderedBodyMemo, type RenderedBody } from './rendered-body.ts';
import type { RequestIds } from './request-ids.ts';
import { graphHeaders, JSON_CONTENT_TYPE, JSONP_CONTENT_TYPE, OPTIONS_HEADERS } from './response-headers.ts';
import { encodeGraphJson, escapeHeaderValue } from './wire-json.ts';

export interface GraphLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export interface GraphHandlerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: RequestIds;
  readonly logger: GraphLogger;
  readonly buc: BucAccounting;
  readonly faults: FaultRules;
}

/** Options that shape how any response, success or error, is written (graph-api.md §6). */
interface OutputOptions {
  readonly pretty: boolean;
  readonly suppressHttpCode: boolean;
  readonly callback: string | undefined;
}

const CALLBACK_SHAPE = /^[A-Za-z0-9_.$]+$/;
const TUNNELLED_METHODS = new Set(['GET', 'POST', 'DELETE']);

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

function outputOptions(params: Readonly<Record<string, string>>): OutputOptions {
  const callback = params.callback;
  return {
    pretty: isTrue(params.pretty),
    suppressHttpCode: isTrue(params.suppress_http_code),
    callback: callback !== undefined && CALLBACK_SHAPE.test(callback) ? callback : undefined,
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
  readonly output: OutputOptions;
  /** The method after `method=` tunnelling; ETags follow it. */
  method: string;
  /** Set once the call counts for a (app, WABA) rate-limit key. */
  buc?: BucTicket;
}

/** The Graph read path of the phone-number node, from request to response, with no HTTP framework. */
export class GraphHandler {
  readonly #deps: GraphHandlerDeps;
  readonly #selections = new SelectionCache();
  readonly #rendered = new RenderedBodyMemo();

  constructor(deps: GraphHandlerDeps) {
    this.#deps = deps;
  }

  options(): GraphResponse {
    return { status: 204, headers: [...OPTIONS_HEADERS], body: '' };
  }

  async handle(request: GraphRequest): Promise<GraphResponse> {
    const exchange: Exchange = {
      version: NEWEST_VERSION,
      traceId: this.#deps.ids.traceId(),
      requestId: this.#deps.ids.requestId(),
      output: outputOptions(request.params),
      method: request.method,
    };
    try {
      const body = await this.#serve(request, exchange);
      return this.#success(body, request, exchange);
    } catch (error) {
      if (error instanceof DroppedConnection) return { status: 0, headers: [], body: '', drop: true };
      return this.#failure(toGraphError(error), exchange, error);
    }
  }

  async #serve(request: GraphRequest, exchange: Exchange): Promise<RenderedBody> {
    const parsed = parseGraphPath(request.path);
    const named = parsed.ok ? parsed.path.version : parsed.version;
    if (named !== null) exchange.version = named;
    // Size and body-parse failures come first in Graph's order, but still name the path's version.
    if (request.inputError !== undefined) throw request.inputError;
    if (!parsed.ok) throw parsed.error;
    const path = parsed.path;
    const token = extractAccessToken(request.params.access_token, request.authorization);
    const record = await authenticate(token, this.#deps.store, this.#deps.clock.now());
    const app = await this.#deps.store.getApp(record.app_id);
    if (app === undefined) throw toGraphError(new Error(`token of unknown app ${record.app_id}`));
    checkAppsecretProof(app, token as string, request.params.appsecret_proof);
    if (path.version === null) exchange.version = app.api_version ?? NEWEST_VERSION;
    await this.#applyFault(request, path, app);
    return this.#phoneNumberNode(path, exchange, record, app, request);
  }

  /** Fault rules run after the token checks and before the object is resolved (control-plane.md §3). */
  async #applyFault(request: GraphRequest, path: GraphPath, app: AppRecord): Promise<void> {
    if (this.#deps.faults.size === 0) return;
    const rule = this.#deps.faults.match({
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

  async #phoneNumberNode(
    path: GraphPath,
    exchange: Exchange,
    token: TokenRecord,
    app: AppRecord,
    request: GraphRequest,
  ): Promise<RenderedBody> {
    const context = await this.#visibleNumber(path.objectId, request.method, token, app);
    // From here the call counts (rate-limits.md), whatever happens next; a full window refuses it below.
    const ticket = await this.#deps.buc.admit(app, context.waba, this.#deps.clock.now().getTime());
    exchange.buc = ticket;
    if (path.rest.length > 0) throw unknownPath(path.rest.join('/'));
    // `method=` is a parameter: read once the object and edge are known, before the method check.
    const method = effectiveMethod(request);
    exchange.method = method;
    if (method !== 'GET' && method !== 'HEAD') throw unsupportedRequest(method, path.objectId);
    if (!ticket.admission.admitted) throw bucRateLimit();
    const selection = this.#selections.get(request.params.fields, PHONE_NUMBER_NODE, exchange.version);
    return this.#rendered.get(context.number, selection, context.app, context.waba, () =>
      projectNode(selection, context, PHONE_NUMBER_FIELD_VALUES),
    );
  }

  /** Missing and invisible objects get the same answer, so a token cannot probe other accounts. */
  async #visibleNumber(
    id: string,
    method: string,
    token: TokenRecord,
    app: AppRecord,
  ): Promise<PhoneNumberContext> {
    if (!/^\d+$/.test(id)) throw aliasUnknown(id);
    const store = this.#deps.store;
    const number = await store.getPhoneNumber(id);
    const waba = number && (await store.getWaba(number.waba_id));
    if (number === undefined || waba === undefined || !canAccessWaba(token, app, waba, 'any')) {
      throw unsupportedRequest(method === 'HEAD' ? 'GET' : method, id);
    }
    return { number, waba, app };
  }

  #encode(value: unknown, output: OutputOptions): string {
    const json = encodeGraphJson(value, output.pretty);
    return output.callback === undefined ? json : `/**/ ${output.callback}(${json});`;
  }

  #contentType(output: OutputOptions): string {
    return output.callback === undefined ? JSON_CONTENT_TYPE : JSONP_CONTENT_TYPE;
  }

  #success(rendered: RenderedBody, request: GraphRequest, exchange: Exchange): GraphResponse {
    const output = exchange.output;
    const plain = !output.pretty && output.callback === undefined;
    const body = plain ? rendered.json : this.#encode(rendered.value, output);
    const isRead = exchange.method === 'GET' || exchange.method === 'HEAD';
    const etag = isRead ? (plain ? rendered.etag : etagOf(body)) : undefined;
    const headers = graphHeaders({
      contentType: this.#contentType(exchange.output),
      version: exchange.version,
      requestId: exchange.requestId,
      traceId: exchange.traceId,
      isError: false,
      ...(exchange.buc === undefined ? {} : { bucUsage: this.#deps.buc.finish(exchange.buc) }),
      ...(etag === undefined ? {} : { etag }),
    });
    if (etag !== undefined && etagMatches(request.ifNoneMatch, etag))
      return { status: 304, headers, body: '' };
    return { status: 200, headers, body };
  }

  #failure(error: GraphError, exchange: Exchange, cause: unknown): GraphResponse {
    if (error.code === 1 || error.code === 2) {
      this.#deps.logger.error({ err: error.cause ?? cause, fbtrace_id: exchange.traceId }, error.message);
    }
    const body = this.#encode(errorEnvelope(error, exchange.traceId), exchange.output);
    const headers = graphHeaders({
      contentType: this.#contentType(exchange.output),
      version: exchange.version,
      requestId: exchange.requestId,
      traceId: exchange.traceId,
      isError: true,
      wwwAuthenticate: escapeHeaderValue(wwwAuthenticate(error)),
      ...(exchange.buc === undefined ? {} : { bucUsage: this.#deps.buc.finish(exchange.buc) }),
    });
    const status = exchange.output.suppressHttpCode ? 200 : error.httpStatus;
    return { status, headers, body };
  }
}
