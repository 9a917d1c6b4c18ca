/**
 * What a route is and what its handler takes and gives: the shapes shared by the route table,
 * every route module and the server, which adds auth, throttling, faults and logging around them.
 */

export const BAD_REQUEST = 'Input could not be converted to a valid request';

/** A Keap-style error answer: `{"message": ...}` with a status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = { message },
  ) {
    super(message);
  }
}

export interface ApiRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Path relative to the v1 base, as requested (`/contacts`). */
  path: string;
  /** `http://127.0.0.1:PORT/crm/rest/v1` */
  apiUrl: string;
  /** Request headers, names lower-cased (as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
}

export interface ApiResponse {
  status: number;
  /** undefined: no body (204). */
  body?: unknown;
}

export interface Route {
  method: string;
  /** Relative to v1, `{name}` placeholders (the first is always `{id}`); the stats key. */
  template: string;
  pattern: RegExp;
  names: string[];
  handler: (req: ApiRequest) => ApiResponse;
}

export type Handler = Route['handler'];

export const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

export const noContent: ApiResponse = { status: 204 };
