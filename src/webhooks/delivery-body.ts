import { encodeGraphJson } from '../graph/wire-json.ts';

/** The exact bytes a delivery POSTs (what `X-Hub-Signature-256` signs): the payload as Graph writes JSON. */
export function deliveryBody(payload: string): Buffer {
  return Buffer.from(encodeGraphJson(JSON.parse(payload)), 'latin1');
}
