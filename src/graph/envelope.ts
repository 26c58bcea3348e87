import { WHATSAPP_ERROR_FORMAT_SINCE } from '../contract/errors.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import type { GraphError } from './graph-error.ts';

export interface ErrorEnvelope {
  error: Record<string, unknown>;
}

const WHATSAPP_FORMAT_INDEX = versionIndex(WHATSAPP_ERROR_FORMAT_SINCE);

function whatsappFormat(version: GraphVersion): boolean {
  return versionIndex(version) >= WHATSAPP_FORMAT_INDEX;
}

/** The `message` an error has at a version: WhatsApp rows gain the `(#code) ` prefix from v16.0. */
export function errorMessage(error: GraphError, version: GraphVersion): string {
  if (error.whatsappDetails === undefined || !whatsappFormat(version)) return error.message;
  return `(#${error.code}) ${error.message}`;
}

/**
 * The one place an error becomes JSON; keys in Graph's captured order, each only where it applies
 * (graph-api.md §3). WhatsApp rows are written in the format of the version that served the call.
 */
export function errorEnvelope(error: GraphError, fbtraceId: string, version: GraphVersion): ErrorEnvelope {
  const body: Record<string, unknown> = { message: errorMessage(error, version), type: error.type };
  if (error.isTransient) body.is_transient = true;
  body.code = error.code;
  if (error.subcode !== undefined) body.error_subcode = error.subcode;
  const details = error.whatsappDetails;
  if (details !== undefined) {
    if (whatsappFormat(version)) {
      body.error_data = { messaging_product: 'whatsapp', details };
    } else {
      body.error_user_title = error.message;
      body.error_user_msg = details;
    }
  }
  body.fbtrace_id = fbtraceId;
  return { error: body };
}

/** Our choice (docs/fidelity.md): the header quotes at most this many characters of the message. */
export const MAX_WWW_AUTHENTICATE_MESSAGE = 512;

/** `WWW-Authenticate` value every Graph error carries; the body keeps the whole message. */
export function wwwAuthenticate(error: GraphError, version: GraphVersion): string {
  const kind = error.code === 190 ? 'invalid_token' : 'invalid_request';
  const full = errorMessage(error, version);
  const message =
    full.length > MAX_WWW_AUTHENTICATE_MESSAGE ? full.slice(0, MAX_WWW_AUTHENTICATE_MESSAGE) : full;
  return `OAuth "Facebook Platform" "${kind}" "${message}"`;
}
