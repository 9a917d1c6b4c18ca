/**
 * Reading Keap's error bodies (API-FACTS.md section 9) and keeping secrets out of error text.
 * Keap answers in at least five shapes: the app's `{message}`, Apigee's `{fault:{...}}`, the OAuth
 * `{error, error_description}`, v2's `{code, message, status}`, and the odd HTML page.
 */
import { STATUS_CODES } from 'node:http';
import { CliError, NetworkError } from '../errors.js';

export interface KeapErrorBody {
  /** Human-readable message, never empty. */
  message: string;
  /** Keap's machine-readable code when the body had one (`keymanagement.service.invalid_access_token`). */
  code?: string;
}

/** Longest message taken from a body; a stack trace or a whole page is not a message. */
const MAX_MESSAGE = 300;

/** The message and code of an error response. Never throws, whatever the body holds. */
export function keapError(status: number, contentType: string | undefined, bodyText: string): KeapErrorBody {
  const fallback = statusText(status);
  const text = bodyText.trim();
  if (!text) return { message: fallback };
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || text.startsWith('{') || text.startsWith('[')) {
    const parsed = parseJson(text);
    if (parsed !== undefined) return fromJson(parsed) ?? { message: fallback };
    if (type.includes('json')) return { message: fallback };
  }
  if (type.includes('html') || /^<(!doctype|html|head|body)/i.test(text)) {
    const fromHtml = htmlHeading(text);
    return { message: fromHtml ?? fallback };
  }
  if (type.startsWith('text/plain') && !text.includes('\n')) return { message: clip(text) };
  return { message: fallback };
}

/** Just the message of an error response (see keapError). */
export function keapMessage(status: number, contentType: string | undefined, bodyText: string): string {
  return keapError(status, contentType, bodyText).message;
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? `HTTP ${status}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return clip(value.trim());
  if (typeof value === 'number') return String(value);
  return undefined;
}

function fromJson(body: unknown): KeapErrorBody | undefined {
  if (!isObject(body)) return undefined;
  // Apigee gateway: {"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"..."}}}
  if (isObject(body.fault)) {
    const message = nonEmptyString(body.fault.faultstring);
    const code = isObject(body.fault.detail) ? nonEmptyString(body.fault.detail.errorcode) : undefined;
    if (message) return withCode(message, code);
  }
  // OAuth token endpoint: {"error":"invalid_grant","error_description":"Invalid refresh token"}
  const description = nonEmptyString(body.error_description);
  if (description) return withCode(description, nonEmptyString(body.error));
  // The app's {message} and v2's {code, message, status, details}.
  const message = nonEmptyString(body.message);
  if (message) return withCode(message, nonEmptyString(body.code));
  const error = isObject(body.error) ? nonEmptyString(body.error.message) : nonEmptyString(body.error);
  if (error) return withCode(error, undefined);
  return undefined;
}

function withCode(message: string, code: string | undefined): KeapErrorBody {
  return code ? { message, code } : { message };
}

function htmlHeading(html: string): string | undefined {
  for (const tag of ['title', 'h1']) {
    const match = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html);
    const inner = match?.[1];
    if (inner === undefined) continue;
    const text = decodeEntities(inner.replace(/<[^>]*>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();
    // "502 Bad Gateway": the status is shown beside the message already.
    const message = text.replace(/^\d{3}\s*[-:]?\s*(?=\S)/, '');
    if (message) return clip(message);
  }
  return undefined;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return named[name.toLowerCase()] ?? entity;
  });
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** Query parameters that carry credentials; they never appear in messages or logs. */
const SECRET_PARAMS = new Set(['access_token', 'api_key', 'apikey', 'refresh_token', 'client_secret', 'token']);

/** The URL with credential query parameters removed (and any user:password). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/([?&])(access_token|api_key|apikey|refresh_token|client_secret|token)=[^&#]*&?/gi, '$1');
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) parsed.searchParams.delete(name);
  }
  // URLSearchParams re-encodes commas; keep them readable as Keap prints them.
  return parsed.toString().replace(/%2C/gi, ',');
}

/**
 * A request that is not safe to repeat failed after it may have reached Keap (a reset, a timeout,
 * a cut-off answer). Whether Keap acted on it is unknown; the caller reports it as such instead
 * of sending it again.
 */
export class OutcomeUnknownError extends NetworkError {
  readonly outcomeUnknown = true;
}

/**
 * Paging could not go on without risking a lost or endless read: pages no longer line up (records
 * deleted faster than the overlap absorbs), the API repeats pages (it ignores `offset`), or its
 * `next` link points backwards. Exit 1; the caller says what happened to its output.
 */
export class PagingError extends CliError {}
