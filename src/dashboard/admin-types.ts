// The shapes the admin API answers with (docs/admin.md), as far as the dashboard reads them.
import type { PhoneNumberStatus } from '../contract/phone-number.ts';

export interface HealthStatus {
  can_send_message: string;
  entities: {
    entity_type: string;
    id: string;
    can_send_message: string;
    errors?: { error_description: string }[];
    additional_info?: string[];
  }[];
}

export interface BoardNumber {
  id: string;
  display_phone_number: string;
  verified_name: string;
  status: PhoneNumberStatus;
  quality_rating: string;
  name_status: string;
  new_name_status?: string;
  requested_verified_name: string | null;
  messaging_limit_tier?: string;
  platform_type: string;
  waba_id: string;
  business_id: string | null;
  health_status: HealthStatus | null;
  last_change_at: string | null;
  [field: string]: unknown;
}

export interface HistoryLine {
  at: string;
  actor: string;
  change: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** One frame of `GET /__admin/events`. */
export interface ChangeEvent {
  kind: string;
  id?: string | number | null;
  phone_number_id?: string;
  waba_id?: string;
}

export function healthReason(health: HealthStatus | null): string {
  if (health === null) return '';
  const reasons: string[] = [];
  for (const entity of health.entities) {
    for (const error of entity.errors ?? []) reasons.push(error.error_description);
    for (const info of entity.additional_info ?? []) reasons.push(info);
  }
  return reasons.join(' ');
}

export interface Attempt {
  at: string;
  url: string;
  http_status: number | null;
  latency_ms: number | null;
  error: string | null;
}

export interface Delivery {
  id: string;
  event_id: string;
  app_id: string;
  phone_number_id: string | null;
  waba_id: string;
  field: string;
  status: string;
  created_at: string;
  next_attempt_at: string | null;
  payload: unknown;
  attempts: Attempt[];
  signature: string | null;
}

export interface AppView {
  id: string;
  name: string;
  wabas: '*' | string[];
  webhook: { url: string; fields: string[]; state: string } | null;
}

export interface QrCode {
  code: string;
  prefilled_message: string;
  deep_link_url: string;
  image_png: string;
  image_svg: string;
}

export interface Otp {
  phone_number_id: string;
  code: string;
  code_method: string;
  issued_at: string;
}

export interface RateLimitRow {
  app: string;
  waba: string;
  limit: number;
  calls: number;
  call_count: number;
  estimated_time_to_regain_access: number;
}

export type { JournalEntry } from '../contract/admin-requests.ts';
