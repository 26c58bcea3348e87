import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';

/** Bounds on a `multipart/form-data` body besides the 1 MiB body limit (graph-api.md §6). */
const LIMITS = { fields: 1000, fieldNameSize: 200, fieldSize: 1_048_576, parts: 1000 } as const;

/**
 * The fields of a `multipart/form-data` body as form parameters (a repeated name keeps its last value,
 * as form bodies do); file parts carry no Graph parameter here and are read and dropped. Rejects a
 * body that is not well-formed multipart.
 */
export function parseMultipartFields(
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: LIMITS });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
    parser.on('close', () => resolve(fields));
    parser.end(body);
  });
}
