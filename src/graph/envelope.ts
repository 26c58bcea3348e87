import type { GraphError } from './graph-error.ts';

export interface ErrorEnvelope {
  error: Record<string, string | number | boolean>;
}

/** The one place an error becomes JSON; keys in Graph's captured order, each only where it applies. */
export function errorEnvelope(error: GraphError, fbtraceId: string): ErrorEnvelope {
  const body: Record<string, string | number | boolean> = { message: error.message, type: error.type };
  if (error.isTransient) body.is_transient = true;
  body.code = error.code;
  if (error.subcode !== undefined) body.error_subcode = error.subcode;
  if (error.userTitle !== undefined) body.error_user_title = error.userTitle;
  if (error.userMessage !== undefined) body.error_user_msg = error.userMessage;
  body.fbtrace_id = fbtraceId;
  return { error: body };
}

/** Our choice (docs/fidelity.md): the header quotes at most this many characters of the message. */
export const MAX_WWW_AUTHENTICATE_MESSAGE = 512;

/** `WWW-Authenticate` value every Graph error carries; the body keeps the whole message. */
export function wwwAuthenticate(error: GraphError): string {
  const kind = error.code === 190 ? 'invalid_token' : 'invalid_request';
  const message =
    error.message.length > MAX_WWW_AUTHENTICATE_MESSAGE
      ? error.message.slice(0, MAX_WWW_AUTHENTICATE_MESSAGE)
      : error.message;
  return `OAuth "Facebook Platform" "${kind}" "${message}"`;
}
