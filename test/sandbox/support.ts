/** Shared helpers for the sandbox tests: real HTTP over loopback with global fetch. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { keapDir } from '../support/keap-data.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const specFile = path.join(keapDir, 'v1-openapi.json');
export const specAvailable = existsSync(specFile);

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies the tests read freely
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export async function call(
  sandbox: SandboxHandle,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${sandbox.token}`, ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const url = pathAndQuery.startsWith('http') ? pathAndQuery : sandbox.apiUrl + pathAndQuery;
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export const get = (sandbox: SandboxHandle, pathAndQuery: string): Promise<Answer> => call(sandbox, 'GET', pathAndQuery);

export async function stats(sandbox: SandboxHandle): Promise<Json> {
  return (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
}

let spec: Json | undefined;
export function loadSpec(): Json {
  spec ??= JSON.parse(readFileSync(specFile, 'utf8'));
  return spec;
}

/** Follows `next` until a short page; returns every record. */
export async function readAll(sandbox: SandboxHandle, first: string, key: string): Promise<Json[]> {
  const records: Json[] = [];
  let url: string | undefined = first;
  for (let guard = 0; url && guard < 10000; guard++) {
    const answer = await get(sandbox, url);
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${answer.text}`);
    const page = answer.body[key] as Json[];
    records.push(...page);
    const limit = Number(new URL(answer.body.next).searchParams.get('limit'));
    url = page.length < limit ? undefined : answer.body.next;
  }
  return records;
}

/** `/contacts/{contactId}/tags` and `/contacts/{id}/tags` are the same endpoint. */
const normalize = (p: string): string => p.replace(/^\/v1/, '').replace(/\{[^}]+\}/g, '{}');

/**
 * The spec types custom field values (`CustomFieldValue.content`) as `object`, but Keap sends
 * strings, numbers, booleans and null there (API-FACTS section 7), and so does the sandbox.
 * Relax exactly that one property; everything else is validated as written.
 */
function relaxCustomFieldContent(node: Json): void {
  if (!node || typeof node !== 'object') return;
  if (node.title === 'CustomFieldValue' && node.properties?.content) node.properties.content = {};
  for (const value of Object.values(node)) relaxCustomFieldContent(value);
}

let operationsByPath: Map<string, Json> | undefined;

/** The spec's operation for a sandbox route (`/contacts/{id}`, `PATCH`), placeholder names ignored; undefined if none. */
export function specOperation(path: string, method: string): Json | undefined {
  if (!operationsByPath) {
    operationsByPath = new Map();
    // `/contacts/{id}` (GET) and `/contacts/{contactId}` (PATCH) are one path with two spellings.
    for (const [p, item] of Object.entries(loadSpec().paths as Record<string, Json>))
      operationsByPath.set(normalize(p), { ...operationsByPath.get(normalize(p)), ...item });
  }
  return operationsByPath.get(normalize(path))?.[method.toLowerCase()];
}

function specAjv(): (schema: Json, value: unknown) => string[] {
  const spec = loadSpec();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const name of ['int32', 'int64', 'float', 'double']) ajv.addFormat(name, true);
  const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();
  return (schema, value) => {
    let validate = compiled.get(schema);
    if (!validate) {
      const relaxed = structuredClone(schema);
      relaxCustomFieldContent(relaxed);
      // Inlined schemas still $ref a few shared components: resolve them from the schema's root.
      validate = ajv.compile({ ...relaxed, components: spec.components });
      compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/** Validates a body against the spec's response schema for (path, method, status); returns problems. */
export function makeValidator(): (path: string, method: string, status: string, body: unknown) => string[] {
  const check = specAjv();
  return (path, method, status, body) => {
    if (!specOperation(path, method)) return [`${method} ${path} is not in the spec`];
    const schema = specOperation(path, method)?.responses?.[status]?.content?.['application/json']?.schema;
    if (!schema) return [`${method} ${path} has no ${status} schema`];
    return check(schema, body);
  };
}

/** Validates a request body against the spec's request schema for (path, method); returns problems. */
export function makeRequestValidator(): (path: string, method: string, body: unknown) => string[] {
  const check = specAjv();
  return (path, method, body) => {
    const schema = specOperation(path, method)?.requestBody?.content?.['application/json']?.schema;
    if (!schema) return [`${method} ${path} takes no body in the spec`];
    return check(schema, body);
  };
}

/** Starts a sandbox, runs `work` against it, and closes it whatever happens. */
export async function withSandbox(
  options: Parameters<typeof startSandbox>[0],
  work: (sandbox: SandboxHandle) => Promise<void>,
): Promise<void> {
  const sandbox = await startSandbox(options);
  try {
    await work(sandbox);
  } finally {
    await sandbox.close();
  }
}
