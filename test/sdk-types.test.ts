/**
 * Compile-time tests of the SDK's types: `tsc --noEmit` (part of `npm run check`) fails when a type is
 * wrong. Each `expectType<Equals<A, B>>(true)` only compiles when A and B are the same type.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  GraphClient,
  PhoneNumberStatus,
  QualityScore,
  QualityRating,
  CodeVerificationStatus,
  PlatformType,
  ThroughputLevel,
  WebhookChange,
  QrCode,
  Success,
  GraphError,
  BusinessVerificationStatus,
  BusinessVertical,
} from '../src/client/index.ts';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof: T): void {}

type Awaited2<T> = T extends Promise<infer U> ? U : never;
type Item<T> = T extends AsyncIterable<infer U> ? U : never;

declare const client: GraphClient;
const _selected = () => client.phoneNumbers.retrieve('1', { fields: ['status'] as const });
const _two = () => client.phoneNumbers.retrieve('1', { fields: ['status', 'quality_score'] });
const _defaults = () => client.phoneNumbers.retrieve('1');
const _emptyOptions = () => client.phoneNumbers.retrieve('1', {});
const _listFiltered = () =>
  client.wabas.phoneNumbers.list('1', {
    filtering: [{ field: 'status', operator: 'EQUAL', value: 'FLAGGED' }],
  });
const _listed = () => client.wabas.phoneNumbers.list('1', { fields: ['status'] as const });
const _listedDefaults = () => client.wabas.phoneNumbers.list('1');
const _waba = () => client.wabas.retrieve('1');
const _wabaSelected = () => client.wabas.retrieve('1', { fields: ['currency'] as const });

expectType<Equals<Awaited2<ReturnType<typeof _selected>>, { id: string; status: PhoneNumberStatus }>>(true);
expectType<
  Equals<
    Awaited2<ReturnType<typeof _two>>,
    { id: string; status: PhoneNumberStatus; quality_score: QualityScore }
  >
>(true);
expectType<
  Equals<
    Awaited2<ReturnType<typeof _defaults>>,
    {
      id: string;
      verified_name: string;
      code_verification_status: CodeVerificationStatus;
      display_phone_number: string;
      quality_rating: QualityRating;
      platform_type: PlatformType;
      throughput: { level: ThroughputLevel };
    }
  >
>(true);
expectType<Equals<Item<ReturnType<typeof _listed>>, { id: string; status: PhoneNumberStatus }>>(true);
// The WABA list's own defaults (phone-number.md §2): the node defaults plus two keys when present.
expectType<
  Equals<
    Item<ReturnType<typeof _listedDefaults>>,
    {
      id: string;
      verified_name: string;
      code_verification_status: CodeVerificationStatus;
      display_phone_number: string;
      quality_rating: QualityRating;
      platform_type: PlatformType;
      throughput: { level: ThroughputLevel };
      last_onboarded_time?: string;
      webhook_configuration?: { application: string };
    }
  >
>(true);
expectType<Equals<Awaited2<ReturnType<typeof _emptyOptions>>, Awaited2<ReturnType<typeof _defaults>>>>(true);
expectType<Equals<Item<ReturnType<typeof _listFiltered>>, Item<ReturnType<typeof _listedDefaults>>>>(true);

// last_onboarded_time: a Graph time string, or a number with date_format 'U'.
const _onboarded = () => client.phoneNumbers.retrieve('1', { fields: ['last_onboarded_time'] });
const _onboardedU = () =>
  client.phoneNumbers.retrieve('1', { fields: ['last_onboarded_time'], date_format: 'U' });
const _onboardedC = () =>
  client.phoneNumbers.retrieve('1', { fields: ['last_onboarded_time'], date_format: 'c' });
const _listedU = () =>
  client.wabas.phoneNumbers.list('1', { fields: ['last_onboarded_time'], date_format: 'U' });
expectType<Equals<Awaited2<ReturnType<typeof _onboarded>>, { id: string; last_onboarded_time: string }>>(
  true,
);
expectType<Equals<Awaited2<ReturnType<typeof _onboardedU>>, { id: string; last_onboarded_time: number }>>(
  true,
);
expectType<Equals<Awaited2<ReturnType<typeof _onboardedC>>, { id: string; last_onboarded_time: string }>>(
  true,
);
expectType<Equals<Item<ReturnType<typeof _listedU>>, { id: string; last_onboarded_time: number }>>(true);

// getMany: keyed by the ids, typed per node by the fields.
const _many = () => client.getMany(['1', '2'], { fields: ['status', 'last_onboarded_time'] });
const _manyU = () => client.getMany(['1'], { fields: ['last_onboarded_time'], date_format: 'U' });
const _manyWabas = () => client.getMany(['9'], { fields: ['currency'] });
expectType<
  Equals<
    Awaited2<ReturnType<typeof _many>>,
    {
      '1': { id: string; status: PhoneNumberStatus; last_onboarded_time: string };
      '2': { id: string; status: PhoneNumberStatus; last_onboarded_time: string };
    }
  >
>(true);
expectType<Equals<Awaited2<ReturnType<typeof _manyU>>, { '1': { id: string; last_onboarded_time: number } }>>(
  true,
);
expectType<Equals<Awaited2<ReturnType<typeof _manyWabas>>, { '9': { id: string; currency: string } }>>(true);

// Every Graph error exposes error_data and its details.
expectType<Equals<GraphError['details'], string | undefined>>(true);
expectType<Equals<GraphError['errorData'], Readonly<Record<string, unknown>> | undefined>>(true);
expectType<
  Equals<
    Awaited2<ReturnType<typeof _waba>>,
    { id: string; name: string; timezone_id: string; message_template_namespace: string }
  >
>(true);
const _wabaReview = () =>
  client.wabas.retrieve('1', { fields: ['account_review_status', 'business_verification_status'] as const });
expectType<
  Equals<
    Awaited2<ReturnType<typeof _wabaReview>>,
    {
      id: string;
      account_review_status: 'APPROVED' | 'PENDING' | 'REJECTED';
      business_verification_status: BusinessVerificationStatus;
    }
  >
>(true);
const _profile = () => client.businessProfiles.retrieve('1', { fields: ['about', 'vertical'] as const });
expectType<
  Equals<
    Awaited2<ReturnType<typeof _profile>>,
    { about?: string; vertical?: BusinessVertical; messaging_product: 'whatsapp' }
  >
>(true);
const _newName = () => client.phoneNumbers.retrieve('1', { fields: ['new_display_name'] as const });
expectType<Equals<Awaited2<ReturnType<typeof _newName>>, { id: string; new_display_name: string }>>(true);
expectType<Equals<Awaited2<ReturnType<typeof _wabaSelected>>, { id: string; currency: string }>>(true);
expectType<Equals<Item<ReturnType<GraphClient['qrCodes']['list']>>, QrCode>>(true);
expectType<Equals<Awaited2<ReturnType<GraphClient['phoneNumbers']['register']>>, Success>>(true);
// A wrong type does not compile, and an unknown field name is rejected.
// @ts-expect-error status is the enum, not any string
expectType<Equals<Awaited2<ReturnType<typeof _selected>>, { id: string; status: string }>>(true);
// @ts-expect-error no such field on the phone-number node
void (() => client.phoneNumbers.retrieve('1', { fields: ['no_such_field'] as const }));

// Webhook changes narrow on `field`, then on `event`.
function describeChange(change: WebhookChange): string {
  switch (change.field) {
    case 'account_update':
      return change.value.event === 'ACCOUNT_OFFBOARDED'
        ? change.value.disconnection_info.initiated_by
        : change.value.phone_number;
    case 'phone_number_quality_update':
      return change.value.current_limit;
    case 'phone_number_name_update':
      return change.value.decision;
  }
}

test('the SDK type assertions compiled (they are checked by tsc --noEmit)', () => {
  assert.equal(
    describeChange({
      field: 'account_update',
      value: { phone_number: '15550200001', event: 'ACCOUNT_DELETED' },
    }),
    '15550200001',
  );
});
