/** One exchange of the request journal, as `GET /__admin/requests` and `GET /__admin/requests/{id}` send it. */
export interface JournalEntry {
  id: number;
  at: string;
  method: string;
  path: string;
  query: string;
  app_id: string | null;
  status: number | null;
  code: number | null;
  error_subcode: number | null;
  buc_usage: unknown;
  duration_ms: number;
  fbtrace_id: string | null;
  dropped: boolean;
  response_headers: [string, string][];
  response_body: string;
}
