// Types of write-load.js for the TypeScript test (test/bench.test.ts); the bench itself is plain JS.

export declare function toggleableIds(ids: readonly string[]): string[];
export declare function createToggler(baseUrl: string): (id: string) => Promise<void>;
export declare function createQr(baseUrl: string, id: string): Promise<void>;
export declare function runWrites(
  ids: readonly string[],
  operation: (id: string) => Promise<void>,
  options: { readonly seconds: number; readonly concurrency: number },
): Promise<{ operations: number; seconds: number }>;
