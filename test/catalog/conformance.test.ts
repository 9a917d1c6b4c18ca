/**
 * Holds the catalog against Keap's own v1 spec (../shared/keap/v1-openapi.json): every endpoint,
 * operationId, deprecated flag, record key, field, component, filter and date filter must exist
 * there. Known differences live in spec-exceptions.ts, each with its reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bodyProperties, catalog, pathFields } from '../../src/catalog/index.js';
import type { ActionDef, BodyProperty, GatheredDef, ResourceDef, ResponseShape } from '../../src/catalog/types.js';
import { keapDataMissing } from '../support/keap-data.js';
import { bodyStandIns, specExceptions } from './spec-exceptions.js';
import {
  type Operation,
  type Schema,
  type Spec,
  type SpecProperty,
  bodySchema,
  deref,
  findOperation,
  findSpecPath,
  loadSpec,
  placeholders,
  queryParams,
  schemaAt,
  specPath,
  specProperty,
  specRequired,
  successSchema,
} from './spec.js';

const spec = loadSpec();
if (!spec) keapDataMissing('catalog conformance', specPath);

const usedExceptions = new Set<string>();
/** Problems not covered by an exception; an exception that matched is recorded as used. */
function unexcepted(problems: { key: string; message: string }[]): string[] {
  const left: string[] = [];
  for (const problem of problems) {
    if (problem.key in specExceptions) usedExceptions.add(problem.key);
    else left.push(problem.message);
  }
  return left;
}

/** The schema of one record of a read response, or a description of why there is none. */
function recordSchema(s: Spec, response: Schema, shape: ResponseShape): Schema | string {
  switch (shape.kind) {
    case 'page':
    case 'list': {
      const holder = response.properties?.[shape.key];
      if (!holder) return `response has no "${shape.key}"`;
      const array = deref(s, holder);
      if (array.type !== 'array') return `"${shape.key}" is not an array`;
      const paged = 'next' in (response.properties ?? {});
      if (shape.kind === 'page' && !paged) return `"${shape.key}" is not paged (no next)`;
      if (shape.kind === 'list' && paged) return `"${shape.key}" is paged: use shape page`;
      const items = deref(s, array.items);
      if (shape.kind === 'page' || !shape.carry?.length) return items;
      // Carried properties sit beside the list in the response and are copied onto each record.
      const carried: Record<string, Schema> = {};
      for (const name of shape.carry) {
        const property = response.properties?.[name];
        if (!property) return `response has no "${name}" to carry`;
        carried[name] = property;
      }
      return { ...items, properties: { ...items.properties, ...carried } };
    }
    case 'array':
      return response.type === 'array' ? deref(s, response.items) : 'response is not an array';
    case 'object':
      return response.type === 'array' ? 'response is an array, not an object' : response;
    case 'map': {
      const holder = response.properties?.[shape.key];
      if (!holder || deref(s, holder).type !== 'object') return `response has no object "${shape.key}"`;
      return { type: 'object', properties: { [shape.keyName]: { type: 'string' }, [shape.valueName]: { type: 'string' } } };
    }
  }
}

/** Output field name -> schema for a read action (after its recordMap), or problems. */
function outputs(s: Spec, source: ActionDef | GatheredDef, problems: string[]): Map<string, Schema> {
  const result = new Map<string, Schema>();
  const operation = findOperation(s, 'GET', source.path);
  if (!operation || !source.shape) return result;
  const response = successSchema(s, operation);
  if (!response) {
    problems.push(`${source.path}: no 200 JSON response`);
    return result;
  }
  const record = recordSchema(s, response, source.shape);
  if (typeof record === 'string') {
    problems.push(`${source.path}: ${record}`);
    return result;
  }
  if (source.recordMap) {
    for (const [name, dotPath] of Object.entries(source.recordMap)) {
      const at = schemaAt(s, record, dotPath);
      if (at) result.set(name, at);
      else problems.push(`${source.path}: recordMap ${name} -> ${dotPath} is not in the record schema`);
    }
  } else {
    for (const [name, schema] of Object.entries(record.properties ?? {})) result.set(name, deref(s, schema));
  }
  return result;
}

function checkOperation(s: Spec, method: string, path: string, operationId: string, deprecated: boolean | undefined): string[] {
  const operation = findOperation(s, method, path);
  if (!operation) return [`${method} /v1${path} is not in the spec`];
  const problems: string[] = [];
  if (operation.operationId !== operationId)
    problems.push(`${method} ${path}: operationId ${operationId}, spec has ${operation.operationId}`);
  if (Boolean(operation.deprecated) !== Boolean(deprecated)) {
    problems.push(`${method} ${path}: deprecated ${Boolean(deprecated)}, spec has ${Boolean(operation.deprecated)}`);
  }
  return problems;
}

/** Properties of an object schema, or of the elements of an array schema. */
function memberProperties(s: Spec, schema: Schema): Record<string, Schema> {
  const resolved = deref(s, schema);
  return (resolved.type === 'array' ? deref(s, resolved.items) : resolved).properties ?? {};
}

const isRead = (action: ActionDef): boolean => action.kind === 'read' || action.kind === 'read-single';

function operationProblems(s: Spec, resource: ResourceDef): string[] {
  const problems = resource.actions.flatMap((a) => checkOperation(s, a.method, a.path, a.operationId, a.deprecated));
  for (const g of resource.gathered ?? []) problems.push(...checkOperation(s, 'GET', g.path, g.operationId, g.deprecated));
  for (const { inverse } of resource.gathered ?? []) {
    if (!inverse) continue;
    problems.push(...checkOperation(s, 'GET', inverse.groups.path, inverse.groups.operationId));
    problems.push(...checkOperation(s, 'GET', inverse.members.path, inverse.members.operationId));
  }
  return problems;
}

/** An inverse list's groups have ids, and its members the record id and stamp it names. */
function inverseProblems(s: Spec, resource: ResourceDef): string[] {
  const problems: string[] = [];
  for (const { name, path: perRecordPath, shape: perRecordShape, inverse } of resource.gathered ?? []) {
    if (!inverse) continue;
    const record = (path: string, shape: ResponseShape): Schema | undefined => {
      const operation = findOperation(s, 'GET', path);
      const response = operation && successSchema(s, operation);
      const found = response ? recordSchema(s, response, shape) : 'no response';
      if (typeof found === 'string') problems.push(`${name}: inverse ${path}: ${found}`);
      return typeof found === 'string' ? undefined : found;
    };
    const group = record(inverse.groups.path, inverse.groups.shape);
    if (group && !schemaAt(s, group, 'id')) problems.push(`${name}: inverse groups have no id`);
    const member = record(inverse.members.path, inverse.members.shape);
    for (const path of [inverse.recordId, ...(inverse.stamp ? [inverse.stamp] : [])]) {
      if (member && !schemaAt(s, member, path)) problems.push(`${name}: inverse members have no ${path}`);
    }
    // The element the inverse plan builds has the per-record element's fields, from fields the lists have.
    const element = record(perRecordPath, perRecordShape);
    for (const [target, source] of Object.entries(inverse.element ?? {})) {
      const targetSchema = element && schemaAt(s, element, target);
      if (element && !targetSchema) problems.push(`${name}: inverse element ${target} is not in the per-record element`);
      const [side, ...rest] = source.split('.');
      const from = side === 'group' ? group : side === 'member' ? member : undefined;
      const sourceSchema = from && schemaAt(s, from, rest.join('.'));
      if (!sourceSchema) problems.push(`${name}: inverse element ${target} <- ${source} is not in the inverse lists`);
      else if (targetSchema && deref(s, sourceSchema).type !== deref(s, targetSchema).type) {
        problems.push(`${name}: inverse element ${target} is a ${deref(s, targetSchema).type}, ${source} a ${deref(s, sourceSchema).type}`);
      }
    }
  }
  return problems;
}

/**
 * `--where` checks values against ActionDef.filterTypes: it must hold exactly the spec's type and
 * enum for every filter that is not free text, and nothing for free-text ones.
 */
function filterTypeProblems(action: ActionDef, operation: Operation): string[] {
  const problems: string[] = [];
  const declared = action.filterTypes ?? {};
  for (const name of Object.keys(declared)) {
    if (!(action.filters ?? []).includes(name)) problems.push(`${action.id}: filterTypes has ${name}, which is not a filter`);
  }
  for (const name of action.filters ?? []) {
    const parameter = (operation.parameters ?? []).find((p) => p.in === 'query' && p.name === name);
    if (!parameter) continue; // reported as not in the spec
    const schema = parameter.schema ?? {};
    const expected =
      schema.type === 'string' && !schema.enum ? undefined : { type: schema.type, ...(schema.enum ? { enum: schema.enum } : {}) };
    const actual = declared[name];
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `${action.id}: filter ${name} is ${JSON.stringify(actual ?? 'text')} in the catalog, ${JSON.stringify(expected ?? 'text')} in the spec`,
      );
    }
  }
  return problems;
}

function readProblems(s: Spec, resource: ResourceDef): string[] {
  const problems: string[] = [];
  for (const action of resource.actions.filter(isRead)) {
    const operation = findOperation(s, action.method, action.path);
    if (!operation) continue;
    if (!action.shape) problems.push(`${action.id}: a read without a shape`);
    const out = outputs(s, action, problems);
    const query = queryParams(operation);
    for (const name of [...(action.filters ?? []), ...Object.keys(action.query ?? {})]) {
      if (!query.has(name)) problems.push(`${action.id}: query parameter ${name} is not in the spec`);
    }
    // A stable order Keap does not know would be ignored (or refused), and the overlap check would fail.
    for (const [name, value] of Object.entries(action.stableOrder ?? {})) {
      const parameter = (operation.parameters ?? []).find((p) => p.in === 'query' && p.name === name);
      const allowed = parameter?.schema?.enum;
      if (!parameter) problems.push(`${action.id}: order parameter ${name} is not in the spec`);
      else if (!allowed?.includes(value))
        problems.push(`${action.id}: ${name}=${value} is not in the spec's enum ${JSON.stringify(allowed)}`);
    }
    problems.push(...filterTypeProblems(action, operation));
    if (action.dateFilter) {
      for (const name of [action.dateFilter.since, action.dateFilter.until]) {
        if (!query.has(name)) problems.push(`${action.id}: date parameter ${name} is not in the spec`);
      }
      if (!out.has(action.dateFilter.field)) problems.push(`${action.id}: date field ${action.dateFilter.field} is not in its records`);
    }
    const params = (action.params ?? []).map((p) => p.name).sort();
    const wanted = placeholders(action.path).sort();
    if (JSON.stringify(params) !== JSON.stringify(wanted))
      problems.push(`${action.id}: params ${params.join(',')} but path needs ${wanted.join(',')}`);
  }
  return problems;
}

/** Field, component and discriminator problems, keyed for spec-exceptions.ts. */
function fieldProblems(s: Spec, resource: ResourceDef): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const ignored: string[] = [];
  const readOutputs = resource.actions.filter(isRead).map((a) => outputs(s, a, ignored));
  const writeProperties = new Map<string, Schema>();
  for (const action of resource.actions.filter((a) => !isRead(a))) {
    const operation = findOperation(s, action.method, action.path);
    const body = operation && bodySchema(s, operation);
    for (const [name, schema] of Object.entries(body?.properties ?? {})) writeProperties.set(name, deref(s, schema));
    for (const name of placeholders(action.path)) if (!writeProperties.has(name)) writeProperties.set(name, { type: 'integer' });
  }
  for (const field of resource.fields) {
    const candidates = field.writeOnly
      ? [writeProperties.get(field.name)].filter((x): x is Schema => x !== undefined)
      : readOutputs.map((out) => out.get(field.name)).filter((x): x is Schema => x !== undefined);
    if (candidates.length === 0) {
      const where = field.writeOnly ? 'any write body or write path' : 'any read response';
      problems.push({ key: `${resource.name}:field:${field.name}`, message: `field ${field.name} is not in ${where}` });
      continue;
    }
    const known = new Set(candidates.flatMap((schema) => Object.keys(memberProperties(s, schema))));
    for (const component of field.components ?? []) {
      if (!known.has(component)) {
        problems.push({
          key: `${resource.name}:component:${field.name}.${component}`,
          message: `component ${field.name}.${component} is not in the spec`,
        });
      }
    }
    if (field.discriminator) {
      const enums = candidates.map((schema) => deref(s, memberProperties(s, schema)[field.discriminator!]).enum);
      if (!enums.some((values) => JSON.stringify(values) === JSON.stringify(field.discriminatorValues))) {
        problems.push({
          key: `${resource.name}:discriminator:${field.name}`,
          message: `${field.name} discriminator values differ from the spec enum ${JSON.stringify(enums)}`,
        });
      }
    }
  }
  return problems;
}

function gatheredProblems(s: Spec, resource: ResourceDef): string[] {
  const problems: string[] = [];
  const names = new Set(resource.fields.map((f) => f.name));
  for (const gathered of resource.gathered ?? []) {
    const operation = findOperation(s, 'GET', gathered.path);
    if (!operation) continue;
    for (const placeholder of placeholders(gathered.path)) {
      if (!names.has(placeholder)) problems.push(`${gathered.name}: {${placeholder}} is not a field`);
    }
    for (const name of Object.keys(gathered.query ?? {})) {
      if (!queryParams(operation).has(name)) problems.push(`${gathered.name}: query ${name} is not in the spec`);
    }
    const response = successSchema(s, operation);
    if (gathered.pick && !(response?.properties && gathered.pick in response.properties)) {
      problems.push(`${gathered.name}: pick ${gathered.pick} is not in the response`);
    }
    const out = outputs(s, gathered, problems);
    if (gathered.shape.kind !== 'object') {
      for (const component of gathered.components ?? []) {
        if (!out.has(component)) problems.push(`${gathered.name}: component ${component} is not in the spec`);
      }
    }
    if (gathered.join) {
      if (!names.has(gathered.join.recordField)) problems.push(`${gathered.name}: join field ${gathered.join.recordField} is not a field`);
      if (!out.has(gathered.join.itemField))
        problems.push(`${gathered.name}: join item field ${gathered.join.itemField} is not in the spec`);
    }
  }
  return problems;
}

type Problem = { key: string; message: string };
const isWrite = (action: ActionDef): boolean => action.kind === 'create' || action.kind === 'update' || action.kind === 'upsert';

/** The catalog's type in the spec's terms: base64 `binary` is a string on the wire. */
const wireType = (type: string | undefined): string | undefined => (type === 'binary' ? 'string' : type);

/** Differences between the catalog's body properties and the spec's, keyed by dot path. */
function compareProperties(
  ours: readonly (BodyProperty | SpecProperty)[],
  theirs: readonly SpecProperty[],
  prefix: string,
  key: string,
): Problem[] {
  const problems: Problem[] = [];
  const spec = new Map(theirs.map((p) => [p.name, p]));
  const names = new Set(ours.map((p) => p.name));
  for (const property of ours) {
    const path = prefix + property.name;
    const other = spec.get(property.name);
    const problem = (message: string): number => problems.push({ key: `${key}:${path}`, message: `${path}: ${message}` });
    if (!other) {
      problem("not in the spec's request body");
      continue;
    }
    if (wireType(property.type) !== other.type) problem(`type ${property.type}, spec has ${other.type}`);
    if (wireType(property.items) !== other.items) problem(`items ${property.items}, spec has ${other.items}`);
    if (JSON.stringify(property.enum) !== JSON.stringify(other.enum))
      problem(`enum ${JSON.stringify(property.enum)}, spec has ${JSON.stringify(other.enum)}`);
    if (property.components || other.components) {
      problems.push(...compareProperties(property.components ?? [], other.components ?? [], `${path}.`, key));
    }
  }
  for (const other of theirs) {
    if (!names.has(other.name))
      problems.push({
        key: `${key}:${prefix}${other.name}`,
        message: `${prefix}${other.name}: in the spec's request body, not in the catalog's`,
      });
  }
  return problems;
}

/** Does a dot path (`addresses.country_code`) name a body property or component? */
function hasPath(properties: readonly BodyProperty[], dotPath: string): boolean {
  const [head, ...rest] = dotPath.split('.');
  const property = properties.find((p) => p.name === head);
  if (!property) return false;
  return rest.length === 0 || hasPath(property.components ?? [], rest.join('.'));
}

/** Each write action's body against its operation's request schema: properties, types, enums, required, rules. */
function bodyProblems(s: Spec, resource: ResourceDef): Problem[] {
  const problems: Problem[] = [];
  for (const action of resource.actions.filter(isWrite)) {
    const key = `${resource.name}:body:${action.id}`;
    const operation = findOperation(s, action.method, action.path);
    if (!operation) continue;
    if (!action.body) {
      problems.push({ key, message: `${action.id}: a ${action.kind} without a body` });
      continue;
    }
    const standIn = bodyStandIns[`${resource.name}:${action.id}`];
    const schema = bodySchema(s, standIn ? (findOperation(s, standIn.method, standIn.path) ?? {}) : operation) ?? { properties: {} };
    const ours = bodyProperties(resource, action);
    const theirs = Object.entries(schema.properties ?? {}).map(([name, sub]) => specProperty(s, name, sub));
    problems.push(...compareProperties(ours, theirs, '', key).map((p) => ({ ...p, message: `${action.id}: ${p.message}` })));
    const required = [...(action.body.required ?? [])].sort();
    const wanted = specRequired(s, schema).sort();
    if (JSON.stringify(required) !== JSON.stringify(wanted)) {
      problems.push({ key: `${key}:required`, message: `${action.id}: required ${required.join(',')}, spec has ${wanted.join(',')}` });
    }
    const description = (operation.description ?? '').replace(/\s+/g, ' ');
    for (const rule of action.body.rules ?? []) {
      if (!description.includes(rule.quote))
        problems.push({ key: `${key}:rule`, message: `${action.id}: rule quote "${rule.quote}" is not in the operation's description` });
      const names = rule.kind === 'requires' ? [rule.field, rule.when] : rule.fields;
      for (const name of names)
        if (!hasPath(ours, name))
          problems.push({ key: `${key}:rule`, message: `${action.id}: rule names ${name}, which the body does not take` });
    }
    for (const name of action.body.neverTrue ?? []) {
      if (ours.find((p) => p.name === name)?.type !== 'boolean')
        problems.push({ key: `${key}:neverTrue`, message: `${action.id}: neverTrue ${name} is not a boolean of the body` });
    }
    for (const name of action.body.options ?? []) {
      if (!ours.some((p) => p.name === name))
        problems.push({ key: `${key}:options`, message: `${action.id}: option ${name} is not a property of the body` });
    }
  }
  return problems;
}

/** Every write path placeholder is filled by a record field of the spec path parameter's type. */
function pathProblems(s: Spec, resource: ResourceDef): Problem[] {
  const problems: Problem[] = [];
  for (const action of resource.actions.filter((a) => !isRead(a))) {
    const found = findSpecPath(s, action.method, action.path);
    if (!found) continue;
    const specNames = placeholders(found.path);
    const parameters = new Map((found.operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p]));
    pathFields(resource, action).forEach((field, index) => {
      const parameter = parameters.get(specNames[index] ?? '');
      const specType = parameter?.schema?.type;
      if (wireType(field.type) !== specType) {
        problems.push({
          key: `${resource.name}:path:${action.id}:${field.name}`,
          message: `${action.id}: {${field.name}} is ${field.type}, the spec's {${specNames[index]}} is ${specType}`,
        });
      }
    });
  }
  return problems;
}

describe.skipIf(!spec)('catalog conforms to the Keap v1 spec', () => {
  const s = spec as Spec;

  describe.each(catalog.map((resource) => [resource.name, resource] as const))('%s', (_name, resource: ResourceDef) => {
    it('uses only endpoints, operationIds and deprecated flags the spec has', () => {
      expect(operationProblems(s, resource)).toEqual([]);
    });

    it('reads records where the spec puts them, with params, filters and date filters the spec accepts', () => {
      expect(readProblems(s, resource)).toEqual([]);
    });

    it('has only fields and components that exist in the spec', () => {
      expect(unexcepted(fieldProblems(s, resource))).toEqual([]);
    });

    it('fills every write placeholder from a field of the record', () => {
      const names = new Set(resource.fields.map((f) => f.name));
      const missing = resource.actions
        .filter((a) => !isRead(a))
        .flatMap((a) =>
          placeholders(a.path)
            .filter((p) => !names.has(p))
            .map((p) => `${a.id}: {${p}}`),
        );
      expect(missing).toEqual([]);
    });

    it("describes every create, update and upsert body as the spec's request schema does", () => {
      expect(unexcepted(bodyProblems(s, resource))).toEqual([]);
    });

    it("fills write path placeholders from fields of the spec parameters' types", () => {
      expect(unexcepted(pathProblems(s, resource))).toEqual([]);
    });

    it('gathers fields from responses that hold them', () => {
      expect(gatheredProblems(s, resource)).toEqual([]);
    });

    it("reads a gathered field's inverse lists from responses that hold the record id and stamp", () => {
      expect(inverseProblems(s, resource)).toEqual([]);
    });

    it('marks read-only every field that no create, update or upsert body takes', () => {
      const writes = resource.actions.filter((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'upsert');
      const accepted = new Set<string>();
      for (const action of writes) {
        const operation = findOperation(s, action.method, action.path);
        for (const name of Object.keys((operation && bodySchema(s, operation))?.properties ?? {})) accepted.add(name);
        for (const name of placeholders(action.path)) accepted.add(name);
      }
      const writable = resource.fields.filter((f) => !f.readOnly && !accepted.has(f.name)).map((f) => f.name);
      expect(writes.length === 0 ? [] : writable).toEqual([]);
    });
  });

  it.each(catalog.filter((r) => r.customFields).map((r) => [r.name, r] as const))(
    '%s reads custom fields the way the spec allows',
    (_name, resource: ResourceDef) => {
      const source = resource.customFields!;
      const model = findOperation(s, 'GET', source.modelPath);
      expect(model, `${source.modelPath} in the spec`).toBeDefined();
      expect(Object.keys(successSchema(s, model!)?.properties ?? {})).toContain('custom_fields');
      const kind = source.via === 'list' ? 'read' : 'read-single';
      const action = resource.actions.find((a) => a.kind === kind)!;
      const operation = findOperation(s, action.method, action.path)!;
      expect(queryParams(operation).has('optional_properties'), `${action.path} takes optional_properties`).toBe(true);
    },
  );

  it.each(catalog.filter((r) => r.duplicateOptions).map((r) => [r.name, r] as const))(
    "%s offers exactly the spec's duplicate options",
    (_name, resource: ResourceDef) => {
      const upsert = resource.actions.find((a) => a.kind === 'upsert')!;
      const body = bodySchema(s, findOperation(s, upsert.method, upsert.path)!);
      expect(deref(s, body?.properties?.['duplicate_option']).enum).toEqual(resource.duplicateOptions);
    },
  );

  // The checks above must be able to fail: feed them a contacts resource with one mistake each.
  describe('detects mistakes', () => {
    const contacts = catalog.find((r) => r.name === 'contacts')!;
    const withAction = (change: Partial<ActionDef>): ResourceDef => ({
      ...contacts,
      actions: contacts.actions.map((a) => (a.id === 'read' ? { ...a, ...change } : a)),
    });

    it('a path, operationId or deprecated flag the spec does not have', () => {
      expect(operationProblems(s, withAction({ path: '/contact' }))).toEqual(['GET /v1/contact is not in the spec']);
      expect(operationProblems(s, withAction({ operationId: 'listContacts' }))[0]).toMatch(/operationId listContacts/);
      expect(operationProblems(s, withAction({ deprecated: true }))[0]).toMatch(/deprecated true/);
      expect(operationProblems(s, withAction({ method: 'POST', path: '/tags/{tag_id}/companies' }))).toHaveLength(1);
    });

    it('a wrong record key, shape, filter or date filter', () => {
      expect(readProblems(s, withAction({ shape: { kind: 'page', key: 'people' } }))).toContain('/contacts: response has no "people"');
      expect(readProblems(s, withAction({ shape: { kind: 'array' } }))).toContain('/contacts: response is not an array');
      expect(readProblems(s, withAction({ shape: { kind: 'list', key: 'contacts' } }))[0]).toMatch(/is paged/);
      const merchants = catalog.find((r) => r.name === 'merchants')!;
      const carrying = (carry: string[]): ResourceDef => ({
        ...merchants,
        actions: merchants.actions.map((a) => ({ ...a, shape: { kind: 'list', key: 'merchant_accounts', carry } })),
      });
      expect(readProblems(s, carrying(['default_account']))).toEqual(['/merchants: response has no "default_account" to carry']);
      expect(unexcepted(fieldProblems(s, carrying([])))).toEqual(['field default_merchant_account is not in any read response']);
      expect(readProblems(s, withAction({ filters: ['company'] }))).toEqual(['read: query parameter company is not in the spec']);
      const orders = catalog.find((r) => r.name === 'orders')!;
      const ordersRead = (change: Partial<ActionDef>): ResourceDef => ({
        ...orders,
        actions: orders.actions.map((a) => (a.id === 'read' ? { ...a, ...change } : a)),
      });
      expect(readProblems(s, ordersRead({ filterTypes: { contact_id: { type: 'integer' }, product_id: { type: 'integer' } } }))).toEqual([
        'read: filter paid is "text" in the catalog, {"type":"boolean"} in the spec',
      ]);
      expect(readProblems(s, withAction({ filterTypes: { email: { type: 'string', enum: ['a@b.c'] } } }))).toEqual([
        'read: filter email is {"type":"string","enum":["a@b.c"]} in the catalog, "text" in the spec',
      ]);
      expect(readProblems(s, withAction({ dateFilter: { since: 'since', until: 'until', field: 'updated' } }))).toEqual([
        'read: date field updated is not in its records',
      ]);
      expect(readProblems(s, withAction({ params: [{ name: 'id', description: '' }] }))[0]).toMatch(/params id but path needs/);
    });

    it('a stable order the endpoint does not offer', () => {
      expect(readProblems(s, withAction({ stableOrder: { order: 'given_name' } }))).toEqual([
        `read: order=given_name is not in the spec's enum ["id","date_created","last_updated","name","firstName","email"]`,
      ]);
      expect(readProblems(s, withAction({ stableOrder: { sort: 'id' } }))).toEqual(['read: order parameter sort is not in the spec']);
    });

    it('a field, component or discriminator value the spec does not have', () => {
      const broken: ResourceDef = {
        ...contacts,
        fields: [
          ...contacts.fields.filter((f) => f.name !== 'email_addresses'),
          { name: 'favourite_colour', type: 'string' },
          {
            name: 'email_addresses',
            type: 'array',
            components: ['email', 'field', 'label'],
            discriminator: 'field',
            discriminatorValues: ['EMAIL1'],
          },
        ],
      };
      expect(fieldProblems(s, broken).map((p) => p.key)).toEqual([
        'contacts:field:favourite_colour',
        'contacts:component:email_addresses.label',
        'contacts:discriminator:email_addresses',
      ]);
    });

    it('a write body that differs from the request schema', () => {
      const create = contacts.actions.find((a) => a.id === 'create')!;
      const withBody = (change: Partial<NonNullable<ActionDef['body']>>): ResourceDef => ({
        ...contacts,
        actions: [{ ...create, body: { ...create.body!, ...change } }],
      });
      const keys = (resource: ResourceDef): string[] => bodyProblems(s, resource).map((p) => p.key);
      const properties = create.body!.properties ?? [];
      expect(keys(withBody({}))).toEqual([]);
      expect(keys(withBody({ properties: [...properties, { name: 'favourite_colour', type: 'string' }] }))).toEqual([
        'contacts:body:create:favourite_colour',
      ]);
      expect(keys(withBody({ properties: properties.filter((p) => p.name !== 'origin') }))).toEqual(['contacts:body:create:origin']);
      expect(keys(withBody({ properties: [...properties, { name: 'lead_source_id', type: 'string' }] }))).toEqual([
        'contacts:body:create:lead_source_id',
      ]);
      const social = {
        name: 'social_accounts',
        type: 'array' as const,
        components: [
          { name: 'name', type: 'string' as const },
          { name: 'type', type: 'string' as const, enum: ['Facebook'] },
        ],
      };
      expect(keys(withBody({ properties: [...properties.filter((p) => p.name !== 'social_accounts'), social] }))).toEqual([
        'contacts:body:create:social_accounts.type',
      ]);
      expect(keys(withBody({ required: ['email_addresses'] }))).toEqual(['contacts:body:create:required']);
      expect(
        keys(withBody({ rules: [{ kind: 'one-of', fields: ['email_addresses', 'phone_numbers'], quote: 'needs an email' }] })),
      ).toEqual(['contacts:body:create:rule']);
      expect(
        keys(withBody({ rules: [{ kind: 'one-of', fields: ['email', 'phone_numbers'], quote: create.body!.rules![0]!.quote }] })),
      ).toEqual(['contacts:body:create:rule']);
      expect(keys(withBody({ neverTrue: ['given_name'] }))).toEqual(['contacts:body:create:neverTrue']);
      expect(keys({ ...contacts, actions: [{ ...create, body: undefined }] })).toEqual(['contacts:body:create']);
    });

    it('a write path placeholder of the wrong type', () => {
      const broken: ResourceDef = { ...contacts, fields: contacts.fields.map((f) => (f.name === 'id' ? { ...f, type: 'string' } : f)) };
      expect(pathProblems(s, broken).map((p) => p.key)).toEqual(['contacts:path:update:id', 'contacts:path:delete:id']);
    });

    it('a gathered field from the wrong place', () => {
      const broken: ResourceDef = {
        ...contacts,
        gathered: [{ ...contacts.gathered![1]!, path: '/contacts/{contact}/tags', shape: { kind: 'page', key: 'tag' } }],
      };
      const problems = gatheredProblems(s, broken);
      expect(problems).toContain('tags: {contact} is not a field');
      expect(problems).toContain('/contacts/{contact}/tags: response has no "tag"');
    });

    it('an inverse list that does not hold the record id', () => {
      const tags = contacts.gathered!.find((g) => g.inverse)!;
      const broken: ResourceDef = { ...contacts, gathered: [{ ...tags, inverse: { ...tags.inverse!, recordId: 'contact.key' } }] };
      expect(inverseProblems(s, broken)).toEqual(['tags: inverse members have no contact.key']);
    });

    it('an inverse element that takes the tag category object where the per-record plan has its name', () => {
      const tags = contacts.gathered!.find((g) => g.inverse)!;
      const element = { ...tags.inverse!.element, 'tag.category': 'group.category', 'tag.colour': 'group.name' };
      const broken: ResourceDef = { ...contacts, gathered: [{ ...tags, inverse: { ...tags.inverse!, element } }] };
      expect(inverseProblems(s, broken)).toEqual([
        'tags: inverse element tag.category is a string, group.category a object',
        'tags: inverse element tag.colour is not in the per-record element',
      ]);
    });
  });

  afterAll(() => {
    // Every exception must still be needed; a stale one would hide a future mistake.
    const stale = Object.keys(specExceptions).filter((key) => !usedExceptions.has(key));
    if (stale.length) throw new Error(`spec-exceptions.ts has entries no check needed: ${stale.join(', ')}`);
  });
});
