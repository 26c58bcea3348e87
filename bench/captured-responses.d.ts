// Types of captured-responses.js for the TypeScript test (test/bench.test.ts); the bench itself is plain JS.

export declare const NODE_ADDED_HEADERS: readonly string[];
export declare const VOLATILE_HEADERS: readonly string[];

export interface CapturedResponse {
  readonly id: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export interface ParsedResponse {
  readonly status: number;
  readonly statusLine: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export declare function rawGet(baseUrl: string, path: string): Promise<Buffer>;
export declare function parseRaw(raw: Buffer): ParsedResponse;
export declare function toCaptured(id: string, raw: Buffer): CapturedResponse;
export declare function masked(raw: Buffer, names?: readonly string[]): string;
