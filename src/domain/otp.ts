import type { OtpRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { randomDigits, randomSourceFor } from './scenario/seeded-random.ts';
import { scenarioSeed } from './state-loader.ts';

/** A code is good for 10 minutes on the injected clock (phone-number.md §5.2). */
export const OTP_LIFETIME_MS = 10 * 60_000;
export const OTP_LENGTH = 6;
export const CODE_METHODS = ['SMS', 'VOICE'] as const;
export type CodeMethod = (typeof CODE_METHODS)[number];

export function isCodeMethod(value: string): value is CodeMethod {
  return (CODE_METHODS as readonly string[]).includes(value);
}

/**
 * Issues a new code, replacing the last one. With a scenario seed the codes are reproducible: the
 * stream is the number and how many codes it has had, so each request gets the next code.
 */
export async function issueOtp(
  store: Store,
  request: { phoneNumberId: string; codeMethod: CodeMethod; language: string; now: Date },
): Promise<OtpRecord> {
  const last = await store.getOtp(request.phoneNumberId);
  const sequence = (last?.sequence ?? 0) + 1;
  const seed = await scenarioSeed(store);
  const random = randomSourceFor(seed, `otp:${request.phoneNumberId}:${sequence}`);
  const otp: OtpRecord = {
    phone_number_id: request.phoneNumberId,
    code: randomDigits(random, OTP_LENGTH),
    code_method: request.codeMethod,
    language: request.language,
    issued_at: request.now.toISOString(),
    sequence,
  };
  await store.putOtp(otp);
  return otp;
}

export type OtpCheck = 'ok' | 'incorrect' | 'expired';

/** A code that is not the last one issued is incorrect, even if it once was; a right one may expire. */
export function checkOtp(otp: OtpRecord | undefined, code: string, now: Date): OtpCheck {
  if (otp === undefined || otp.code !== code) return 'incorrect';
  return now.getTime() - Date.parse(otp.issued_at) >= OTP_LIFETIME_MS ? 'expired' : 'ok';
}
