import {
  EXPIRED_VERSIONS,
  OLDEST_VERSION,
  isNativeVersion,
  type GraphVersion,
} from '../contract/versions.ts';
import { aliasUnknown, noObject, unknownPath, type GraphError } from './graph-error.ts';

/** A Graph path split into what it addresses; the version is resolved later when it is implicit. */
export interface GraphPath {
  /** The version the path names, or null when it has none (the app default then applies). */
  readonly version: GraphVersion | null;
  /** The version segment as written when it named an expired version (served as the oldest). */
  readonly expiredVersion: string | null;
  readonly objectId: string;
  /** Segments after the object id. */
  readonly rest: readonly string[];
}

export type PathParse =
  | { readonly ok: true; readonly path: GraphPath }
  | { readonly ok: false; readonly error: GraphError; readonly version: GraphVersion | null };

const VERSION_SHAPE = /^v\d+\.\d+$/;

/** Splits a request path; a trailing slash and duplicate slashes are tolerated (`/v21.0//123/`). */
export function parseGraphPath(pathname: string): PathParse {
  const segments = pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment);
  const first = segments[0];
  let version: GraphVersion | null = null;
  let expiredVersion: string | null = null;
  let objectIndex = 0;
  if (first !== undefined && VERSION_SHAPE.test(first)) {
    if (isNativeVersion(first)) {
      version = first;
    } else if (EXPIRED_VERSIONS.includes(first)) {
      version = OLDEST_VERSION;
      expiredVersion = first;
    } else if (segments.length === 1) {
      return { ok: false, error: aliasUnknown(first), version: null };
    } else {
      return { ok: false, error: unknownPath(segments.slice(1).join('/')), version: null };
    }
    objectIndex = 1;
  }
  const objectId = segments[objectIndex];
  if (objectId === undefined) return { ok: false, error: noObject(), version };
  return { ok: true, path: { version, expiredVersion, objectId, rest: segments.slice(objectIndex + 1) } };
}

/** Path segments arrive percent-encoded; a malformed escape is kept verbatim rather than failing. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
