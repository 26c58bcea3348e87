import type { GraphVersion } from '../contract/versions.ts';
import { canAccessWaba } from '../domain/access.ts';
import type { Clock } from '../domain/clock.ts';
import { PHONE_NUMBER_FIELD_VALUES, type PhoneNumberContext } from '../domain/phone-number-view.ts';
import {
  codePointLength,
  createQrCode,
  deepLinkUrl,
  MAX_PREFILLED_MESSAGE,
  qrImageFormat,
  type QrImageFormat,
} from '../domain/qr-codes.ts';
import type { QrImageSigner } from '../domain/qr-images.ts';
import { WABA_FIELD_VALUES } from '../domain/waba-view.ts';
import {
  includesDeleted,
  ListParamFailure,
  parseFiltering,
  parseSort,
  pendingPhoneNumber,
  phoneDigits,
} from '../domain/waba-phone-numbers.ts';
import type {
  AppRecord,
  PhoneNumberRecord,
  QrCodeRecord,
  TokenRecord,
  WabaRecord,
} from '../store/records.ts';
import type { PhoneNumberKey, Store } from '../store/store.ts';
import type { CursorCodec } from './cursor.ts';
import {
  hasEdge,
  projectNode,
  type NodeTypeDescriptor,
  type Selection,
  type TimeWriter,
} from './field-selection.ts';
import { invalidParameter, unknownPath, unsupportedRequest } from './graph-error.ts';
import type { GraphRequest } from './graph-request.ts';
import { nodeMetadata, wantsMetadata, withMetadata } from './node-metadata.ts';
import { PHONE_NUMBER_LIST_ITEM, QR_CODE_NODE, WABA_NODE } from './node-types.ts';
import { pageBody, pageLimit, readPage, type KeysetList, type PageLocation } from './paging.ts';
import { renderBody, type RenderedBody } from './rendered-body.ts';

/** Parameters every Graph call understands (graph-api.md §2, §6); `debug=all` warns about others. */
export const COMMON_PARAMS: readonly string[] = [
  'access_token',
  'appsecret_proof',
  'fields',
  'pretty',
  'suppress_http_code',
  'callback',
  'method',
  'debug',
  'date_format',
  'metadata',
];
const PAGE_PARAMS = ['limit', 'after', 'before'];

export interface ObjectDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly cursors: CursorCodec;
  readonly images: QrImageSigner;
  /** `--public-url`, without a trailing slash, or undefined to use the Host header. */
  readonly publicUrl: string | undefined;
}

/** One authenticated call on an object: what the edge handlers read. */
export interface ObjectCall {
  readonly request: GraphRequest;
  readonly version: GraphVersion;
  readonly token: TokenRecord;
  readonly app: AppRecord;
  /** The method after `method=` tunnelling, HEAD read as GET. */
  readonly method: string;
  /** Called by each route with the parameters it understands, for `debug=all`. */
  readonly knows: (params: readonly string[]) => void;
  /** The request's `fields` compiled for a node type (cached). */
  readonly selections: (node: NodeTypeDescriptor) => Selection;
  /** Writes time fields with the request's `date_format` (graph-api.md §6). */
  readonly writeTime: TimeWriter;
}

/** Where links to phonegraph itself point: `--public-url`, else the request's scheme and Host. */
export function baseUrl(deps: { readonly publicUrl: string | undefined }, request: GraphRequest): string {
  return deps.publicUrl ?? `${request.secure === true ? 'https' : 'http'}://${request.host ?? 'localhost'}`;
}

function required(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw invalidParameter('required', { name });
  return value;
}

interface QrView {
  readonly qr: QrCodeRecord;
  readonly imageUrl: (format: QrImageFormat) => string;
}

function projectQr(selection: Selection, view: QrView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of selection) {
    if (entry.field === 'code') out[entry.key] = view.qr.code;
    else if (entry.field === 'prefilled_message') out[entry.key] = view.qr.prefilled_message;
    else if (entry.field === 'deep_link_url') out[entry.key] = deepLinkUrl(view.qr.code);
    else if (entry.field === 'qr_image_url') {
      const format = qrImageFormat(entry.modifiers.format ?? '');
      if (format !== undefined) out[entry.key] = view.imageUrl(format);
    }
  }
  return out;
}

/** The phone-number node's reads that are not memoized, its `message_qrdls` edge, and the WABA. */
export class GraphObjects {
  readonly #deps: ObjectDeps;

  constructor(deps: ObjectDeps) {
    this.#deps = deps;
  }

  #imageUrl(request: GraphRequest): (code: string, format: QrImageFormat) => string {
    const base = baseUrl(this.#deps, request);
    return (code, format) => `${base}${this.#deps.images.path(code, format)}`;
  }

  #qrView(request: GraphRequest, qr: QrCodeRecord): QrView {
    const url = this.#imageUrl(request);
    return { qr, imageUrl: (format) => url(qr.code, format) };
  }

  #qrList(numberId: string, code?: string): KeysetList<QrCodeRecord, number> {
    return {
      scope: `message_qrdls:${numberId}`,
      fetch: (query) => this.#deps.store.listQrCodes(numberId, query, code),
      keyOf: (qr) => qr.position,
      isKey: (value): value is number => Number.isSafeInteger(value),
    };
  }

  #numberList(
    wabaId: string,
    sortName: string,
    query: Omit<Parameters<Store['listWabaPhoneNumbers']>[1], 'toward' | 'from' | 'limit'>,
  ): KeysetList<PhoneNumberRecord, PhoneNumberKey> {
    return {
      scope: `phone_numbers:${wabaId}:${sortName}`,
      fetch: (keyset) => this.#deps.store.listWabaPhoneNumbers(wabaId, { ...query, ...keyset }),
      keyOf: (number) => [number[query.sortBy], number.id],
      isKey: (value): value is PhoneNumberKey =>
        Array.isArray(value) &&
        value.length === 2 &&
        typeof value[0] === 'string' &&
        typeof value[1] === 'string',
    };
  }

  /** Where an embedded edge's `next` points: the edge itself, with the token and limit of the request. */
  #embeddedLocation(call: ObjectCall, path: string, limit: string | undefined): PageLocation {
    const query = new URLSearchParams();
    const token = new URLSearchParams(call.request.query ?? '').get('access_token');
    if (token !== null) query.set('access_token', token);
    if (limit !== undefined) query.set('limit', limit);
    return { base: baseUrl(this.#deps, call.request), path, query: query.toString() };
  }

  /** First pages of the edges a selection embeds (graph-api.md §4), by output key. */
  async #embedded(
    call: ObjectCall,
    selection: Selection,
    owner: { readonly number: PhoneNumberContext } | { readonly waba: WabaRecord },
  ): Promise<Map<string, unknown>> {
    const pages = new Map<string, unknown>();
    for (const entry of selection) {
      if (entry.edge === undefined || entry.children === null) continue;
      const limit = pageLimit(entry.modifiers.limit);
      if ('number' in owner) {
        const id = owner.number.number.id;
        const page = await readPage(this.#deps.cursors, this.#qrList(id), { limit });
        const data = page.items.map((qr) => projectQr(entry.children!, this.#qrView(call.request, qr)));
        const location = this.#embeddedLocation(
          call,
          `/${call.version}/${id}/message_qrdls`,
          entry.modifiers.limit,
        );
        pages.set(entry.key, pageBody(page, data, location));
      } else {
        const { name, sort } = parseSort(undefined);
        const list = this.#numberList(owner.waba.id, name, { ...sort, equal: [], includeDeleted: false });
        const page = await readPage(this.#deps.cursors, list, { limit });
        const data = await this.#projectNumbers(call, entry.children, page.items, owner.waba);
        const location = this.#embeddedLocation(
          call,
          `/${call.version}/${owner.waba.id}/phone_numbers`,
          entry.modifiers.limit,
        );
        pages.set(entry.key, pageBody(page, data, location));
      }
    }
    return pages;
  }

  async #projectNumbers(
    call: ObjectCall,
    selection: Selection,
    numbers: readonly PhoneNumberRecord[],
    waba: WabaRecord,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const number of numbers) {
      const context: PhoneNumberContext = { number, waba, app: call.app };
      const edges = hasEdge(selection)
        ? await this.#embedded(call, selection, { number: context })
        : undefined;
      out.push(projectNode(selection, context, PHONE_NUMBER_FIELD_VALUES, edges, call.writeTime));
    }
    return out;
  }

  /** A node read whose selection embeds an edge: built per request, never memoized. */
  async phoneNumberWithEdges(
    call: ObjectCall,
    selection: Selection,
    context: PhoneNumberContext,
  ): Promise<RenderedBody> {
    const edges = await this.#embedded(call, selection, { number: context });
    return renderBody(projectNode(selection, context, PHONE_NUMBER_FIELD_VALUES, edges, call.writeTime));
  }

  /** `/{phone}/message_qrdls[/{code}]` (phone-number.md §5.1). */
  async qrCodes(call: ObjectCall, number: PhoneNumberRecord, rest: readonly string[]): Promise<RenderedBody> {
    const store = this.#deps.store;
    const code = rest[0];
    const params = call.request.params;
    if (code !== undefined) {
      const qr = await store.getQrCode(code);
      if (qr === undefined || qr.phone_number_id !== number.id) throw unsupportedRequest(call.method, code);
      if (call.method === 'GET') {
        call.knows([]);
        const selection = call.selections(QR_CODE_NODE);
        return renderBody({ data: [projectQr(selection, this.#qrView(call.request, qr))] });
      }
      if (call.method === 'DELETE') {
        call.knows([]);
        await store.deleteQrCode(number.id, code);
        return renderBody({ success: true });
      }
      if (call.method !== 'POST') throw unsupportedRequest(call.method, code);
      return this.#writeQr(call, number, code);
    }
    if (call.method === 'GET') {
      call.knows(['code', ...PAGE_PARAMS]);
      const selection = call.selections(QR_CODE_NODE);
      const filter = params.code === undefined || params.code === '' ? undefined : params.code;
      const limit = pageLimit(params.limit);
      const page = await readPage(this.#deps.cursors, this.#qrList(number.id, filter), {
        limit,
        ...(params.after === undefined ? {} : { after: params.after }),
        ...(params.before === undefined ? {} : { before: params.before }),
      });
      const data = page.items.map((qr) => projectQr(selection, this.#qrView(call.request, qr)));
      return renderBody(pageBody(page, data, this.#location(call, `${number.id}/message_qrdls`)));
    }
    if (call.method === 'POST') return this.#writeQr(call, number, undefined);
    throw unsupportedRequest(call.method, number.id);
  }

  #location(call: ObjectCall, path: string): PageLocation {
    return {
      base: baseUrl(this.#deps, call.request),
      path: `/${call.version}/${path}`,
      query: call.request.query ?? '',
    };
  }

  /** Create, or update when a code is given in the path or as `code`; answers the bare object. */
  async #writeQr(
    call: ObjectCall,
    number: PhoneNumberRecord,
    pathCode: string | undefined,
  ): Promise<RenderedBody> {
    call.knows(['prefilled_message', 'generate_qr_image', 'code']);
    const params = call.request.params;
    const message = required(params, 'prefilled_message');
    if (codePointLength(message) > MAX_PREFILLED_MESSAGE)
      throw invalidParameter('tooLong', { name: 'prefilled_message', n: MAX_PREFILLED_MESSAGE });
    const asked = params.generate_qr_image;
    let format: QrImageFormat | undefined;
    if (asked !== undefined) {
      format = qrImageFormat(asked);
      if (format === undefined) throw invalidParameter('generateQrImage', { value: asked });
    }
    const code = pathCode ?? (params.code === '' ? undefined : params.code);
    let qr: QrCodeRecord;
    if (code !== undefined) {
      const updated = await this.#deps.store.updateQrCode(number.id, code, message);
      if (updated === undefined) throw unsupportedRequest(call.method, code);
      qr = updated;
    } else {
      const created = await createQrCode(this.#deps.store, number.id, message);
      if (created === 'limit') throw invalidParameter('qrLimit');
      qr = created;
    }
    const body: Record<string, unknown> = {
      code: qr.code,
      prefilled_message: qr.prefilled_message,
      deep_link_url: deepLinkUrl(qr.code),
    };
    if (format !== undefined) body.qr_image_url = this.#qrView(call.request, qr).imageUrl(format);
    return renderBody(body);
  }

  /** `/{waba}[/phone_numbers]` (phone-number.md §6). */
  async waba(call: ObjectCall, waba: WabaRecord, rest: readonly string[]): Promise<RenderedBody> {
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'phone_numbers'))
      throw unknownPath(rest.join('/'));
    if (rest.length === 0) {
      if (call.method !== 'GET') throw unsupportedRequest(call.method, waba.id);
      call.knows([]);
      const selection = call.selections(WABA_NODE);
      const edges = hasEdge(selection) ? await this.#embedded(call, selection, { waba }) : undefined;
      const body = renderBody(
        projectNode(selection, { waba, app: call.app }, WABA_FIELD_VALUES, edges, call.writeTime),
      );
      if (!wantsMetadata(call.request)) return body;
      const location = { base: baseUrl(this.#deps, call.request), request: call.request };
      return withMetadata(body, nodeMetadata(WABA_NODE, waba.id, call.version, location));
    }
    if (call.method === 'GET') return this.#listNumbers(call, waba);
    if (call.method === 'POST') return this.#addNumber(call, waba);
    throw unsupportedRequest(call.method, waba.id);
  }

  async #listNumbers(call: ObjectCall, waba: WabaRecord): Promise<RenderedBody> {
    call.knows(['sort', 'filtering', ...PAGE_PARAMS]);
    const selection = call.selections(PHONE_NUMBER_LIST_ITEM);
    const params = call.request.params;
    let sortName: string;
    let list: KeysetList<PhoneNumberRecord, PhoneNumberKey>;
    try {
      const { name, sort } = parseSort(params.sort);
      const equal = parseFiltering(params.filtering);
      sortName = name;
      list = this.#numberList(waba.id, sortName, { ...sort, equal, includeDeleted: includesDeleted(equal) });
    } catch (error) {
      throw listParamError(error);
    }
    const page = await readPage(this.#deps.cursors, list, {
      limit: pageLimit(params.limit),
      ...(params.after === undefined ? {} : { after: params.after }),
      ...(params.before === undefined ? {} : { before: params.before }),
    });
    const data = await this.#projectNumbers(call, selection, page.items, waba);
    return renderBody(pageBody(page, data, this.#location(call, `${waba.id}/phone_numbers`)));
  }

  async #addNumber(call: ObjectCall, waba: WabaRecord): Promise<RenderedBody> {
    if (!canAccessWaba(call.token, call.app, waba, 'whatsapp_business_management'))
      throw unsupportedRequest(call.method, waba.id);
    call.knows(['cc', 'phone_number', 'verified_name']);
    const params = call.request.params;
    const cc = required(params, 'cc');
    const phoneNumber = required(params, 'phone_number');
    const verifiedName = required(params, 'verified_name');
    const record = pendingPhoneNumber({
      wabaId: waba.id,
      cc,
      phoneNumber,
      verifiedName,
      now: this.#deps.clock.now(),
    });
    const result = await this.#deps.store.createPhoneNumber(record, phoneDigits(cc, phoneNumber));
    if (result === 'in_use') throw invalidParameter('numberInUse');
    return renderBody({ id: record.id });
  }
}

/** Domain list-parameter failures as Graph's invalid-parameter errors; anything else passes through. */
function listParamError(error: unknown): unknown {
  if (!(error instanceof ListParamFailure)) return error;
  const detail = error.detail;
  if (detail.kind === 'sort') return invalidParameter('sort', { value: detail.value });
  if (detail.kind === 'filteringArray') return invalidParameter('filteringArray');
  return invalidParameter('filteringUnsupported', { field: detail.field, op: detail.op });
}
