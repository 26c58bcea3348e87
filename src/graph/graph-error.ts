import {
  ERROR_CATALOGUE,
  INVALID_PARAMETER,
  fillTemplate,
  type CatalogueKey,
  type CatalogueRow,
  type GraphErrorType,
} from '../contract/errors.ts';
import { WindowUnavailableError } from '../limits/buc-window.ts';
import { isStoreOutage } from '../store/store.ts';
import { formatPacificTime } from './graph-time.ts';

/** Everything the renderer needs to write an error envelope; built only by the constructors below. */
export class GraphError extends Error {
  readonly key: CatalogueKey | 'injected';
  readonly code: number;
  readonly subcode: number | undefined;
  readonly type: GraphErrorType;
  readonly httpStatus: number;
  readonly isTransient: boolean;
  /** Set on WhatsApp rows: `message` is then the title; the renderer picks the format by version. */
  readonly whatsappDetails: string | undefined;

  constructor(
    key: CatalogueKey | 'injected',
    row: CatalogueRow,
    message: string,
    options: { details?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GraphError';
    this.key = key;
    this.code = row.code;
    this.subcode = row.subcode;
    this.type = row.type;
    this.httpStatus = row.httpStatus;
    this.isTransient = row.isTransient === true;
    this.whatsappDetails = row.whatsapp === undefined ? undefined : (options.details ?? row.whatsapp.details);
  }
}

function fromCatalogue(key: CatalogueKey, values: Record<string, string | number> = {}): GraphError {
  const row: CatalogueRow = ERROR_CATALOGUE[key];
  return new GraphError(key, row, fillTemplate(row.message, values));
}

export const tokenMissing = (): GraphError => fromCatalogue('tokenMissing');
export const tokenInvalid = (): GraphError => fromCatalogue('tokenInvalid');
export const tokenRevoked = (): GraphError => fromCatalogue('tokenRevoked');
export const tokenExpired = (expiry: Date, now: Date): GraphError =>
  fromCatalogue('tokenExpired', { expiry: formatPacificTime(expiry), now: formatPacificTime(now) });

/** 100/33: a missing object, one the token may not see, or a method the object does not support. */
export const unsupportedRequest = (method: string, id: string): GraphError =>
  fromCatalogue('unsupportedRequest', { method: method.toLowerCase(), id });

export const noObject = (): GraphError => fromCatalogue('noObject');
export const aliasUnknown = (alias: string): GraphError => fromCatalogue('aliasUnknown', { alias });
/** `rest` is the unknown part of the path without its leading slash. */
export const unknownPath = (rest: string): GraphError => fromCatalogue('unknownPath', { rest });
export const fieldsSyntax = (what: string, index: number, fields: string): GraphError =>
  fromCatalogue('fieldsSyntax', { what, index, fields });
export const nonexistingField = (field: string, nodeType: string): GraphError =>
  fromCatalogue('nonexistingField', { field, nodeType });

export type InvalidParameterDetail = keyof typeof INVALID_PARAMETER;
export const invalidParameter = (
  detail: InvalidParameterDetail,
  values: Record<string, string | number> = {},
): GraphError =>
  fromCatalogue('invalidParameter', { detail: fillTemplate(INVALID_PARAMETER[detail], values) });

export const appsecretProofMissing = (): GraphError => fromCatalogue('appsecretProofMissing');
export const appsecretProofInvalid = (): GraphError => fromCatalogue('appsecretProofInvalid');
export const bucRateLimit = (): GraphError => fromCatalogue('bucRateLimit');
export const registerRateLimit = (): GraphError => fromCatalogue('registerRateLimit');
export const pinMismatch = (): GraphError => fromCatalogue('pinMismatch');
export const codeRequestLimit = (): GraphError => fromCatalogue('codeRequestLimit');
export const verifyCode = (reason: string): GraphError => {
  const row: CatalogueRow = ERROR_CATALOGUE.verifyCode;
  return new GraphError('verifyCode', row, row.message, { details: reason });
};

/** Code 1: the cause is logged with the trace id, never echoed to the client. */
export const unknownError = (cause?: unknown): GraphError => {
  const row: CatalogueRow = ERROR_CATALOGUE.unknownError;
  return new GraphError('unknownError', row, row.message, { cause });
};
export const temporarilyUnavailable = (cause?: unknown): GraphError => {
  const row: CatalogueRow = ERROR_CATALOGUE.temporarilyUnavailable;
  return new GraphError('temporarilyUnavailable', row, row.message, { cause });
};

/** Any thrown value as a GraphError: unknown exceptions become code 1, store and Redis outages code 2. */
export function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (isStoreOutage(error) || error instanceof WindowUnavailableError) return temporarilyUnavailable(error);
  return unknownError(error);
}
