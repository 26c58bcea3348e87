// Types of scenario-generator.js for the TypeScript test (test/bench.test.ts); the bench itself is plain JS.
import type { ScenarioDocument } from '../src/contract/scenario.ts';

export declare const BENCH_APP_ID: string;
export declare const BENCH_BUSINESS_ID: string;
export declare const BENCH_TOKEN: string;
export declare const BENCH_API_VERSION: string;
export declare const READ_FIELDS: readonly string[];
export declare const QUALITY_DATE: number;

export interface ExpectedReadBody {
  readonly status: string;
  readonly quality_score: {
    readonly score: string;
    readonly date: number;
    readonly reasons: readonly string[];
  };
  readonly display_phone_number: string;
  readonly id: string;
}

export interface GenerateScenarioOptions {
  readonly numbers: number;
  readonly wabas?: number;
  readonly seed?: number;
  readonly pendingNames?: boolean;
}

export interface GeneratedScenario {
  readonly document: ScenarioDocument;
  readonly token: string;
  /** Phone-number ids in generation order: `ids[i]` is the number at index `i`. */
  readonly ids: readonly string[];
}

export declare function readPath(id: string, token?: string): string;
export declare function phoneNumberId(index: number): string;
export declare function displayPhoneNumber(index: number): string;
export declare function expectedReadBody(index: number): ExpectedReadBody;
export declare function generateScenario(options: GenerateScenarioOptions): GeneratedScenario;
export declare function indexOfId(id: string): number;
