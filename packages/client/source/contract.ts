// Source entry for phonegraph's own type-check (condition phonegraph-source); not published.
export * from '../../../src/contract/index.ts';
