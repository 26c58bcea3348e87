import { stat } from 'node:fs/promises';
import type {
  ScenarioApp,
  ScenarioBusiness,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import type {
  AppRecord,
  BusinessProfileRecord,
  PhoneNumberRecord,
  QrCodeRecord,
} from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import { certificateBody, certificateFromParts } from '../certificate.ts';
import { ensureCertificateKeys } from '../certificate-keys.ts';
import { CertificateSigners } from '../certificate-signers.ts';
import type { Clock as InjectedClock } from '../clock.ts';
import {
  generatorsAvoiding,
  loadClock,
  normalizeApp,
  normalizePhoneNumber,
  normalizeProfile,
  normalizeQrCode,
  normalizeToken,
  normalizeWaba,
  type Generators,
  type NormalizeOptions,
  type Taken,
} from './normalize-scenario.ts';
import {
  JsonSyntaxError,
  NotStreamable,
  streamScenarioJson,
  type ScenarioPart,
} from './scenario-json-stream.ts';
import {
  detached,
  phoneDigits,
  ScenarioError,
  StreamedReferences,
  validateScenarioItem,
  validateScenarioSkeleton,
} from './validate-scenario.ts';

/** Numbers per batch handed to the signers and the store. */
const BATCH_NUMBERS = 2_000;
/** Batches signed or being signed ahead of the store: bounds memory while keeping every core busy. */
const BATCHES_IN_FLIGHT = 4;

export interface LoadProgress {
  /** Numbers written to the store so far. */
  readonly numbers: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface StreamLoadResult {
  readonly numbers: number;
  /** The scenario without its businesses: what the start banner needs (tokens given by value). */
  readonly outline: ScenarioDocument;
}

export interface StreamLoadOptions {
  readonly onProgress?: (progress: LoadProgress) => void;
}

/** A certificate waiting for its signature: the record and field it goes to. */
interface PendingCertificate {
  readonly record: PhoneNumberRecord;
  readonly field: 'certificate' | 'new_certificate';
  readonly body: Buffer;
}

interface Batch {
  readonly phone_numbers: PhoneNumberRecord[];
  readonly qr_codes: QrCodeRecord[];
  readonly business_profiles: BusinessProfileRecord[];
  readonly certificates: PendingCertificate[];
}

function newBatch(): Batch {
  return { phone_numbers: [], qr_codes: [], business_profiles: [], certificates: [] };
}

/** Where the numbers of each WABA start in file order, so a number's path is rebuilt from its place. */
class NumberPlaces {
  readonly #starts: number[] = [];
  readonly #wabas: [number, number][] = [];

  startWaba(business: number, waba: number, place: number): void {
    this.#starts.push(place);
    this.#wabas.push([business, waba]);
  }

  path(place: number): string {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#starts[middle] ?? 0) <= place) low = middle;
      else high = middle - 1;
    }
    const [business, waba] = this.#wabas[low] ?? [0, 0];
    return `businesses[${business}].wabas[${waba}].phone_numbers[${place - (this.#starts[low] ?? 0)}]`;
  }
}

/** A taken set over a validation map (the given values) plus what was generated. */
function takenOver(given: { has(key: string): boolean }, generated: Set<string>): Taken {
  return { has: (key) => given.has(key) || generated.has(key), add: (key) => generated.add(key) };
}

const CERTIFICATE_PLACEHOLDER = '\u0000certificate:';

/**
 * Loads a JSON scenario file into the store in one streaming pass, replacing the state (control-plane
 * §1, docs/scenarios.md "Large scenarios"): each part is validated with its piece of the schema as it
 * arrives, cross-references are checked with compact maps, rows go to the store in batches inside one
 * transaction, and certificates are signed on worker threads as the numbers stream. The rows are the
 * ones `loadScenario` writes for the same document. Throws `ScenarioError` for an invalid file, and
 * `NotStreamable` (with nothing replaced) when the file needs the whole-document path.
 */
export async function streamLoadScenarioFile(
  store: Store,
  file: string,
  injectedClock: InjectedClock,
  options: StreamLoadOptions = {},
): Promise<StreamLoadResult> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch (error) {
    throw new ScenarioError(file, '$', `a readable file (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  const keys = await ensureCertificateKeys(store);
  const signers = new CertificateSigners(keys.privateKeyPem);
  const clock = loadClock(injectedClock.now());
  const places = new NumberPlaces();
  const refs = new StreamedReferences((place) => places.path(place));
  const generated = { ids: new Set<string>(), codes: new Set<string>(), phoneDigits: new Set<string>() };
  const taken = {
    ids: takenOver(refs.ids, generated.ids),
    codes: takenOver(refs.codes, generated.codes),
    phoneDigits: takenOver(refs.phones, generated.phoneDigits),
  };
  const top: Record<string, unknown> = {};
  const wabaIds: string[] = [];
  let gen: Generators | undefined;
  let businessesStarted = false;
  let businessId = '';
  let wabaId = '';
  let numbers = 0;
  let written = 0;
  let qrPosition = 0;
  let bytesRead = 0;
  let batch = newBatch();
  const inFlight: { batch: Batch; signatures: Promise<Uint8Array[]> }[] = [];
  let pendingCertificates: Buffer[] = [];

  const generators = (): Generators => {
    gen ??= generatorsAvoiding(typeof top['seed'] === 'number' ? top['seed'] : null, taken);
    return gen;
  };
  const normalizeOptions: NormalizeOptions = {
    now: injectedClock.now(),
    issueCertificate: (phoneNumber, name, issuedAt) => {
      pendingCertificates.push(certificateBody({ phoneNumber, name, issuedAt }));
      return `${CERTIFICATE_PLACEHOLDER}${pendingCertificates.length - 1}`;
    },
  };
  /** A given id, code or phone that an earlier generated one took: the whole-document path differs. */
  const mustNotBeGenerated = (set: Set<string>, value: string | undefined): void => {
    if (value !== undefined && set.has(value)) {
      throw new NotStreamable(`${value} is given after it was generated`);
    }
  };

  await store
    .replaceStateInBatches(async (add) => {
      const write = async (): Promise<void> => {
        const next = inFlight.shift();
        if (next === undefined) return;
        const signatures = await next.signatures;
        next.batch.certificates.forEach((pending, i) => {
          pending.record[pending.field] = certificateFromParts(pending.body, signatures[i] as Uint8Array);
        });
        const { phone_numbers, qr_codes, business_profiles } = next.batch;
        await add({ phone_numbers, qr_codes, business_profiles });
        written += phone_numbers.length;
      };
      const send = async (): Promise<void> => {
        if (batch.phone_numbers.length === 0) return;
        const signatures = signers.sign(batch.certificates.map((pending) => pending.body));
        // Awaited in order by `write`; a failure meanwhile must not count as unhandled.
        signatures.catch(() => undefined);
        inFlight.push({ batch, signatures });
        batch = newBatch();
        while (inFlight.length > BATCHES_IN_FLIGHT) await write();
      };

      const onTop = async (key: string, value: unknown): Promise<void> => {
        if (key in top) throw new NotStreamable(`a second ${key} key`);
        if (businessesStarted && (key === 'seed' || key === 'apps')) {
          throw new NotStreamable(`${key} after the businesses`);
        }
        if (key === 'seed' && gen !== undefined) throw new NotStreamable('seed after generated ids');
        top[key] = value;
        // The document schema on the keys so far reports this key's problems with their document paths.
        validateScenarioSkeleton({ version: 1, ...top }, file);
        if (key === 'apps') {
          const apps = value as ScenarioApp[];
          apps.forEach((app, i) => refs.claimId(app.id, `apps[${i}]`));
          refs.check(file);
          const records: AppRecord[] = apps.map((app) => normalizeApp(app, app.id ?? generators().id()));
          await add({ apps: records });
        }
      };

      const onBusiness = async (index: number, fields: Record<string, unknown>): Promise<void> => {
        const path = `businesses[${index}]`;
        validateScenarioItem('business', fields, path, file);
        const business = fields as ScenarioBusiness;
        mustNotBeGenerated(generated.ids, business.id);
        refs.claimId(business.id, path);
        businessId = business.id ?? generators().id();
        await send();
        await add({ businesses: [{ id: businessId, name: business.name ?? `Business ${businessId}` }] });
      };

      const onWaba = async (
        businessIndex: number,
        index: number,
        fields: Record<string, unknown>,
      ): Promise<void> => {
        const path = `businesses[${businessIndex}].wabas[${index}]`;
        validateScenarioItem('waba', fields, path, file);
        const waba = fields as ScenarioWaba;
        mustNotBeGenerated(generated.ids, waba.id);
        refs.claimId(waba.id, path);
        if (waba.id !== undefined) wabaIds.push(detached(waba.id));
        const record = normalizeWaba(waba, waba.id ?? generators().id(), businessId, generators());
        wabaId = record.id;
        places.startWaba(businessIndex, index, numbers);
        await send();
        await add({ wabas: [record] });
      };

      const onNumber = async (value: unknown): Promise<void> => {
        const place = numbers;
        validateScenarioItem('phoneNumber', value, () => places.path(place), file);
        const number = value as ScenarioPhoneNumber;
        mustNotBeGenerated(generated.ids, number.id);
        mustNotBeGenerated(
          generated.phoneDigits,
          number.display_phone_number === undefined ? undefined : phoneDigits(number.display_phone_number),
        );
        for (const qr of number.qr_codes ?? []) mustNotBeGenerated(generated.codes, qr.code);
        refs.addNumber(number, place);
        refs.check(file);
        numbers += 1;
        pendingCertificates = [];
        const record = normalizePhoneNumber(
          number,
          { wabaId, index: place },
          generators(),
          clock,
          normalizeOptions,
        );
        for (const field of ['certificate', 'new_certificate'] as const) {
          const text = record[field];
          if (text?.startsWith(CERTIFICATE_PLACEHOLDER) === true) {
            const body = pendingCertificates[Number(text.slice(CERTIFICATE_PLACEHOLDER.length))] as Buffer;
            batch.certificates.push({ record, field, body });
          }
        }
        batch.phone_numbers.push(record);
        for (const qr of number.qr_codes ?? []) {
          qrPosition += 1;
          batch.qr_codes.push(normalizeQrCode(qr, record.id, qrPosition, generators()));
        }
        if (number.business_profile !== undefined) {
          batch.business_profiles.push(normalizeProfile(number.business_profile, record.id));
        }
        if (batch.phone_numbers.length >= BATCH_NUMBERS) await send();
      };

      const onPart = async (part: ScenarioPart): Promise<void> => {
        switch (part.kind) {
          case 'top':
            return onTop(part.key, part.value);
          case 'business':
            businessesStarted = true;
            return onBusiness(part.index, part.fields);
          case 'waba':
            return onWaba(part.business, part.index, part.fields);
          case 'number':
            return onNumber(part.value);
        }
      };

      try {
        await streamScenarioJson(file, async (parts, read) => {
          bytesRead = read;
          for (const part of parts) await onPart(part);
          options.onProgress?.({ numbers: written, bytesRead, totalBytes });
        });
      } catch (error) {
        if (error instanceof JsonSyntaxError)
          throw new ScenarioError(file, '$', `valid JSON (${error.message})`);
        throw error;
      }
      validateScenarioSkeleton({ ...top, businesses: [] }, file, wabaIds);
      refs.check(file);
      await send();
      while (inFlight.length > 0) await write();
      const tokens = (top['tokens'] as ScenarioToken[] | undefined) ?? [];
      await add({ tokens: tokens.map(normalizeToken) });
      options.onProgress?.({ numbers: written, bytesRead: totalBytes, totalBytes });
      return { seed: typeof top['seed'] === 'number' ? top['seed'] : null };
    })
    .finally(() => signers.close());

  const outline: ScenarioDocument = {
    version: 1,
    ...(top['apps'] === undefined ? {} : { apps: top['apps'] as ScenarioApp[] }),
    ...(top['tokens'] === undefined ? {} : { tokens: top['tokens'] as ScenarioToken[] }),
  };
  return { numbers: written, outline };
}
