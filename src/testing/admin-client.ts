import type { NameDecision } from '../contract/lifecycle.ts';
import type { MessagingLimitTier, PhoneNumberStatus, QualityScoreValue } from '../contract/phone-number.ts';
import type { ScenarioDocument } from '../contract/scenario.ts';

/** A non-2xx answer of the admin plane: `{"error":{"message","code",…}}` (docs/admin.md). */
export class AdminApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    const error = (body as { error?: { message?: string; code?: string } } | undefined)?.error;
    super(`admin ${method} ${path}: ${status} ${error?.message ?? JSON.stringify(body)}`);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = error?.code;
    this.body = body;
  }
}

/** The number as the admin plane shows it after a change (docs/admin.md § Phone-number lifecycle). */
export type AdminPhoneNumber = Record<string, unknown> & { readonly id: string; readonly waba_id: string };

export interface FaultRuleInput {
  readonly match?: {
    readonly method?: string;
    readonly path_regex?: string;
    readonly phone_number?: string;
    readonly token_app?: string;
  };
  readonly action:
    | {
        readonly graph_error: {
          readonly code: number;
          readonly subcode?: number;
          readonly http_status?: number;
          readonly message?: string;
          readonly type?: 'OAuthException' | 'GraphMethodException';
        };
      }
    | { readonly delay_ms: number }
    | { readonly drop_connection: true };
  readonly times?: number;
  readonly probability?: number;
}

export type FaultRuleView = FaultRuleInput & {
  readonly id: string;
  readonly remaining: number | null;
  readonly matched: number;
};

export interface RateLimitUsage {
  readonly app: string;
  readonly waba: string;
  readonly limit: number;
  readonly calls: number;
  readonly call_count: number;
  readonly estimated_time_to_regain_access: number;
}

export interface ClockState {
  readonly now: string;
  readonly offset_ms: number;
}

export interface IssuedOtp {
  readonly phone_number_id: string;
  readonly code: string;
  readonly code_method: string;
  readonly issued_at: string;
}

export interface WebhookDelivery {
  readonly id: number | string;
  readonly event_id: string;
  readonly app_id: string;
  readonly phone_number_id: string;
  readonly waba_id: string;
  readonly field: string;
  readonly status: 'pending' | 'delivered' | 'failed' | 'skipped';
  readonly created_at: string;
  readonly next_attempt_at: string | null;
  readonly payload: unknown;
  readonly attempts: readonly {
    readonly at: string;
    readonly url: string;
    readonly http_status: number | null;
    readonly latency_ms: number | null;
    readonly error: string | null;
  }[];
}

export interface AdminClientOptions {
  /** The server's base URL (`http://127.0.0.1:PORT`); `/__admin` is added. */
  readonly baseUrl: string;
  /** `--admin-token`: sent as `Authorization: Bearer …` when set. */
  readonly adminToken?: string | undefined;
  readonly fetch?: typeof fetch;
}

/** A typed client of the admin plane (`/__admin/…`, docs/admin.md); every method throws `AdminApiError` on a non-2xx. */
export class AdminClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: AdminClientOptions) {
    this.#base = `${options.baseUrl.replace(/\/+$/, '')}/__admin`;
    this.#token = options.adminToken;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const response = await this.#fetch(`${this.#base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw new AdminApiError(method, path, response.status, parsed);
    return parsed as T;
  }

  /** `POST /phone-numbers/{id}/status`. */
  setStatus(
    phoneNumberId: string,
    status: PhoneNumberStatus,
    options: { readonly reason?: string; readonly force?: boolean } = {},
  ): Promise<AdminPhoneNumber> {
    return this.#call('POST', `/phone-numbers/${encodeURIComponent(phoneNumberId)}/status`, {
      status,
      ...options,
    });
  }

  /** `POST /phone-numbers/{id}/name-review`. */
  nameReview(
    phoneNumberId: string,
    decision: NameDecision,
    options: { readonly which?: 'current' | 'new'; readonly rejection_reason?: string } = {},
  ): Promise<AdminPhoneNumber> {
    return this.#call('POST', `/phone-numbers/${encodeURIComponent(phoneNumberId)}/name-review`, {
      decision,
      ...options,
    });
  }

  /** `POST /phone-numbers/{id}/new-name`. */
  newName(phoneNumberId: string, name: string): Promise<AdminPhoneNumber> {
    return this.#call('POST', `/phone-numbers/${encodeURIComponent(phoneNumberId)}/new-name`, { name });
  }

  /** `POST /phone-numbers/{id}/quality`: a score (with reasons) and/or a messaging-limit tier. */
  quality(
    phoneNumberId: string,
    change: {
      readonly score?: QualityScoreValue;
      readonly reasons?: readonly string[];
      readonly messaging_limit_tier?: MessagingLimitTier;
    },
  ): Promise<AdminPhoneNumber> {
    return this.#call('POST', `/phone-numbers/${encodeURIComponent(phoneNumberId)}/quality`, change);
  }

  /** `GET /phone-numbers/{id}/history`, newest first. */
  async history(phoneNumberId: string): Promise<readonly Record<string, unknown>[]> {
    const body = await this.#call<{ data: Record<string, unknown>[] }>(
      'GET',
      `/phone-numbers/${encodeURIComponent(phoneNumberId)}/history`,
    );
    return body.data;
  }

  /** `GET /phone-numbers/{id}/otp`: the last code `request_code` issued. */
  otp(phoneNumberId: string): Promise<IssuedOtp> {
    return this.#call('GET', `/phone-numbers/${encodeURIComponent(phoneNumberId)}/otp`);
  }

  /** `/faults`: injected Graph errors, delays and dropped connections (docs/faults.md). */
  readonly faults = {
    add: (rule: FaultRuleInput): Promise<FaultRuleView> => this.#call('POST', '/faults', rule),
    list: async (): Promise<readonly FaultRuleView[]> =>
      (await this.#call<{ data: FaultRuleView[] }>('GET', '/faults')).data,
    delete: async (id: string): Promise<void> => {
      await this.#call('DELETE', `/faults/${encodeURIComponent(id)}`);
    },
    clear: async (): Promise<void> => {
      await this.#call('DELETE', '/faults');
    },
  };

  /** `/rate-limits`: usage per (app, WABA), overrides, and exhausting a window (docs/rate-limits.md). */
  readonly rateLimits = {
    list: async (): Promise<readonly RateLimitUsage[]> =>
      (await this.#call<{ data: RateLimitUsage[] }>('GET', '/rate-limits')).data,
    set: (limits: {
      readonly app?: string;
      readonly waba?: string;
      readonly per_hour?: number;
      readonly active_per_hour?: number;
    }): Promise<unknown> => this.#call('POST', '/rate-limits', limits),
    exhaust: (key: { readonly app: string; readonly waba: string }): Promise<unknown> =>
      this.#call('POST', '/rate-limits', { exhaust: key }),
  };

  /** `/clock`: the server clock behind rate windows, token expiry, OTPs and webhook retries. */
  readonly clock = {
    get: (): Promise<ClockState> => this.#call('GET', '/clock'),
    /** A duration like `90s`, `2h` or `1h30m`. */
    advance: (duration: string): Promise<ClockState> => this.#call('POST', '/clock', { advance: duration }),
    set: (at: Date | string): Promise<ClockState> =>
      this.#call('POST', '/clock', { set: typeof at === 'string' ? at : at.toISOString() }),
    real: (): Promise<ClockState> => this.#call('POST', '/clock', { real: true }),
  };

  /** `POST /reset`: the start scenario again, or the given one; rate windows and faults' seed start afresh. */
  async reset(scenario?: ScenarioDocument): Promise<void> {
    await this.#call('POST', '/reset', scenario);
  }

  /** `POST /scenario`: merges a partial scenario into the state. */
  async merge(scenario: ScenarioDocument): Promise<void> {
    await this.#call('POST', '/scenario', scenario);
  }

  /** `GET /export`: the whole state as a scenario document. */
  export(): Promise<ScenarioDocument> {
    return this.#call('GET', '/export');
  }

  /** `GET /webhooks/deliveries`, newest first. */
  async deliveries(
    filter: {
      readonly phone_number?: string;
      readonly status?: WebhookDelivery['status'];
      readonly limit?: number;
    } = {},
  ): Promise<readonly WebhookDelivery[]> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, String(value));
    const suffix = query.size === 0 ? '' : `?${query.toString()}`;
    return (await this.#call<{ data: WebhookDelivery[] }>('GET', `/webhooks/deliveries${suffix}`)).data;
  }

  /** `PUT /apps/{id}/webhook`. */
  setWebhook(
    appId: string,
    subscription: {
      readonly url: string;
      readonly verify_token: string;
      readonly fields?: readonly string[];
    },
  ): Promise<unknown> {
    return this.#call('PUT', `/apps/${encodeURIComponent(appId)}/webhook`, subscription);
  }
}
