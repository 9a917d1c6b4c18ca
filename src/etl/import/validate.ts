/**
 * A mapped body -> its problems, before anything is sent: the type of every property and
 * component, the spec's enums, required paths and prose rules from the catalog's write facts,
 * never-true booleans, path fields, and custom field contents against the account's `/model`.
 *
 * Validation also settles a few values in place: never-true booleans are set to false, numbers
 * given for text properties become text, custom field contents take the model's type, and
 * coerce.ts reads dates, booleans, email addresses and phone numbers as people's files hold them.
 */
import { bodyProperties, pathFields, singularName } from '../../catalog/index.js';
import type { ActionDef, BodyProperty, BodyRule, ResourceDef } from '../../catalog/types.js';
import type { CustomFieldInfo, CustomFieldModel } from '../custom-fields.js';
import { type Coerced, Coercer, coerceBoolean, type DateFormats } from './coerce.js';
import type { MappedRow } from './mapping.js';

export interface RowProblem {
  /** The column the user sees when it can be known (`email_addresses.EMAIL1.email`, `custom.Age`), else the body dot path. */
  field?: string;
  message: string;
  /** The input row the problem is in, when the body was grouped from several (an item's row). */
  row?: number;
}

export interface ValidateOptions {
  customModel?: CustomFieldModel;
  /** ColumnPlan.columnFor: names problems by the column that fed the field. */
  columnFor?: (field: string) => string | undefined;
  /** --date-format and --timezone: how date and date-time cells are read. */
  formats?: DateFormats;
}

const NUMERIC_CUSTOM = new Set(['DecimalNumber', 'Currency', 'Percent']);
const CHOICE_CUSTOM = new Set(['Dropdown', 'Radio', 'ListBox']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, cleared, or a list without elements (a `--clear-empty` list names nothing). */
function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** A value as quoted in a message: text in quotes, anything else as JSON, long values cut. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

class Checker {
  readonly problems: RowProblem[] = [];

  constructor(
    private readonly mapped: MappedRow,
    private readonly itemArray: string | undefined,
    private readonly columnFor: ((field: string) => string | undefined) | undefined,
    readonly coercer: Coercer,
  ) {}

  /** The column behind a body path, trying it as is and without array indices. */
  fieldName(path: string): string {
    const generic = path.replace(/\.\d+(?=\.|$)/g, '');
    return this.columnFor?.(path) ?? this.columnFor?.(generic) ?? path;
  }

  add(path: string, message: string): void {
    const item = this.itemArray ? new RegExp(`^${this.itemArray}\\.(\\d+)(\\.|$)`).exec(path) : null;
    const row = item ? this.mapped.itemRows?.[Number(item[1])] : undefined;
    const where = row === undefined ? {} : { row };
    this.problems.push({ field: this.fieldName(path), message: row === undefined ? message : `${message} (row ${row})`, ...where });
  }

  /** A coerced value, or the value as given with its problem added. */
  settled(path: string, value: unknown, coerced: Coerced): unknown {
    if (coerced.problem === undefined) return coerced.value;
    this.add(path, coerced.problem);
    return value;
  }

  /** Checks one value against its property; returns it, settled (numbers for text become text, dates ISO, ...). */
  value(property: BodyProperty, value: unknown, path: string, discriminator?: string): unknown {
    if (value === null) return value; // a cleared value (--clear-empty)
    switch (property.type) {
      case 'string':
      case 'binary': {
        const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
        if (typeof text !== 'string') this.add(path, `${show(value)} is not text`);
        else if (property.enum && text !== '' && !property.enum.includes(text)) {
          this.add(path, `${show(text)} is not one of ${property.enum.join(', ')}`);
        } else return this.settled(path, text, this.coercer.text(path, text));
        return text;
      }
      case 'integer':
        if (!(typeof value === 'number' && Number.isSafeInteger(value))) this.add(path, `${show(value)} is not a whole number`);
        return value;
      case 'number':
        if (!(typeof value === 'number' && Number.isFinite(value))) this.add(path, `${show(value)} is not a number`);
        return value;
      case 'boolean':
        return this.settled(path, value, coerceBoolean(value));
      case 'date':
      case 'datetime':
        return this.settled(path, value, this.coercer.date(value, property.type));
      case 'object':
        // An object the spec leaves open (a custom field's `content`) takes any value.
        if (!property.components) return value;
        if (!isObject(value)) this.add(path, `${show(value)} is not an object`);
        else if (property.components) this.components(property, value, path);
        return value;
      case 'array':
        return this.array(property, value, path, discriminator);
    }
  }

  private components(property: BodyProperty, value: Record<string, unknown>, path: string): void {
    for (const [name, component] of Object.entries(value)) {
      const typed = property.components?.find((c) => c.name === name);
      if (!typed) {
        const takes = (property.components ?? []).map((c) => c.name).join(', ');
        this.add(`${path}.${name}`, `${property.name} has no ${name} (it takes ${takes})`);
      } else value[name] = this.value(typed, component, `${path}.${name}`);
    }
  }

  private array(property: BodyProperty, value: unknown, path: string, discriminator?: string): unknown {
    if (!Array.isArray(value)) {
      this.add(path, `${show(value)} is not a list`);
      return value;
    }
    value.forEach((element, index) => {
      if (property.items && property.items !== 'object') {
        value[index] = this.value({ name: property.name, type: property.items }, element, `${path}.${index}`);
        return;
      }
      if (!property.components) return;
      const key = discriminator && isObject(element) ? element[discriminator] : undefined;
      const known = typeof key === 'string' && property.components.find((c) => c.name === discriminator)?.enum?.includes(key);
      this.value({ name: property.name, type: 'object', components: property.components }, element, `${path}.${known ? key : index}`);
    });
    return value;
  }
}

/** Whether a dot path is present: a top-level value, or a component in the object or any element. */
function present(body: Record<string, unknown>, path: string): boolean {
  const [head = '', component] = path.split('.');
  const value = body[head];
  if (component === undefined) return !isMissing(value);
  if (Array.isArray(value)) return value.some((e) => isObject(e) && !isMissing(e[component]));
  return isObject(value) && !isMissing(value[component]);
}

/** Each object a `parent.component` path applies to: the object itself or every element, with its body path. */
function holders(body: Record<string, unknown>, parent: string, discriminator?: string): Array<[Record<string, unknown>, string]> {
  const value = body[parent];
  if (isObject(value)) return [[value, parent]];
  if (!Array.isArray(value)) return [];
  return value.flatMap((element, index): Array<[Record<string, unknown>, string]> => {
    if (!isObject(element)) return [];
    const key = discriminator ? element[discriminator] : undefined;
    return [[element, `${parent}.${typeof key === 'string' ? key : index}`]];
  });
}

interface Context {
  body: Record<string, unknown>;
  checker: Checker;
  isUpdate: boolean;
  fillFromRecord: string[];
  discriminatorOf: (name: string) => string | undefined;
}

/** A top-level field the body lacks: an update reads it from the record; otherwise a problem. */
function missingTopLevel(context: Context, name: string, message: string): void {
  if (context.isUpdate && context.body[name] === undefined) {
    if (!context.fillFromRecord.includes(name)) context.fillFromRecord.push(name);
  } else context.checker.add(name, message);
}

function checkRequired(context: Context, required: readonly string[]): void {
  for (const path of required) {
    const [head = '', component] = path.split('.');
    if (component === undefined) {
      if (!isMissing(context.body[head])) continue;
      missingTopLevel(
        context,
        head,
        context.body[head] === undefined ? `${head} is required` : `${head} is required; it cannot be cleared`,
      );
      continue;
    }
    for (const [holder, at] of holders(context.body, head, context.discriminatorOf(head))) {
      if (isMissing(holder[component])) context.checker.add(`${at}.${component}`, `${component} is required in each ${head} given`);
    }
  }
}

function checkRule(context: Context, rule: BodyRule): void {
  const { body, checker } = context;
  if (rule.kind === 'one-of') {
    if (!rule.fields.some((field) => present(body, field)))
      checker.problems.push({ field: rule.fields[0] ?? '', message: `at least one of ${rule.fields.join(', ')} is needed` });
    return;
  }
  if (rule.kind === 'all-of') {
    for (const field of rule.fields) if (!present(body, field)) missingTopLevel(context, field, `${field} is required`);
    return;
  }
  if (rule.kind === 'requires') checkRequires(context, rule);
}

function checkRequires(context: Context, rule: Extract<BodyRule, { kind: 'requires' }>): void {
  const { body, checker } = context;
  const [fieldHead = '', fieldComponent] = rule.field.split('.');
  const [whenHead = '', whenComponent] = rule.when.split('.');
  const condition = `when ${rule.when} ${rule.equals === undefined ? 'is given' : `is ${rule.equals}`}`;
  const applies = (value: unknown) => !isMissing(value) && (rule.equals === undefined || value === rule.equals);
  if (fieldComponent !== undefined && whenComponent !== undefined && fieldHead === whenHead) {
    for (const [holder, at] of holders(body, fieldHead, context.discriminatorOf(fieldHead))) {
      if (applies(holder[whenComponent]) && isMissing(holder[fieldComponent]))
        checker.add(`${at}.${fieldComponent}`, `${fieldComponent} is required ${condition}`);
    }
  } else if (whenComponent === undefined && applies(body[whenHead]) && !present(body, rule.field)) {
    missingTopLevel(context, rule.field, `${rule.field} is required ${condition}`);
  }
}

/**
 * An upsert matches on the resource's natural key in the body (contacts: EMAIL1's address): without
 * it Keap cannot match, so the row would fail (or create a record it should have updated).
 */
function checkMatchKey(resource: ResourceDef, body: Record<string, unknown>, checker: Checker): void {
  const key = resource.naturalKeys?.find((candidate) => candidate.bodyPath);
  if (!key?.bodyPath || !isMissing(valueAt(resource, body, key.bodyPath))) return;
  checker.add(key.bodyPath, `${key.bodyPath} is empty, and an upsert matches on it: give it, or use --action create`);
}

/** A dot path's value in a body; a segment on a keyed array names its element by discriminator value. */
function valueAt(resource: ResourceDef, body: Record<string, unknown>, path: string): unknown {
  const [head = '', ...rest] = path.split('.');
  let value: unknown = body[head];
  const discriminator = resource.fields.find((field) => field.name === head)?.discriminator;
  for (const segment of rest) {
    if (Array.isArray(value)) value = value.find((element) => isObject(element) && element[discriminator ?? ''] === segment);
    else value = isObject(value) ? value[segment] : undefined;
  }
  return value;
}

/** Custom field contents against the model's field types; settles them (numbers, booleans). */
function checkCustomFields(context: Context, model: CustomFieldModel): void {
  const values = context.body.custom_fields;
  if (!Array.isArray(values)) return;
  for (const entry of values) {
    if (!isObject(entry)) continue;
    const info = model.fields.find((f) => f.id === entry.id);
    if (!info) {
      context.checker.add('custom_fields', `custom field id ${show(entry.id)} is not in this account's /model`);
      continue;
    }
    const { content, problem } = customContent(info, entry.content, context.checker.coercer);
    if (problem) context.checker.add(`custom.${info.label}`, problem);
    else entry.content = content;
  }
}

function customContent(info: CustomFieldInfo, content: unknown, coercer: Coercer): { content: unknown; problem?: string } {
  if (content === null || content === undefined) return { content: null };
  const type = info.fieldType ?? 'Text';
  const text = typeof content === 'string' ? content.trim() : undefined;
  // A User field holds a user's id (UNCONFIRMED: Keap types every content as an object).
  if (type === 'WholeNumber' || type === 'User' || NUMERIC_CUSTOM.has(type)) {
    if (text === '') return { content: null };
    const number = text !== undefined ? Number(text) : content;
    const whole = type === 'WholeNumber' || type === 'User';
    const ok = typeof number === 'number' && Number.isFinite(number) && (!whole || Number.isSafeInteger(number));
    return ok ? { content: number } : { content, problem: `${show(content)} is not ${whole ? 'a whole number' : 'a number'}` };
  }
  const coerced = coercer.custom(type, content);
  if (coerced) return coerced.problem === undefined ? { content: coerced.value } : { content, problem: coerced.problem };
  if (typeof content !== 'string' && typeof content !== 'number') return { content, problem: `${show(content)} is not text` };
  const value = String(content);
  if (value === '') return { content: value };
  if (CHOICE_CUSTOM.has(type) && info.options?.length) {
    const chosen = type === 'ListBox' ? value.split(',').map((v) => v.trim()) : [value];
    const wrong = chosen.find((choice) => !info.options?.includes(choice));
    if (wrong !== undefined) return { content, problem: `${show(wrong)} is not one of ${info.options.join(', ')}` };
  }
  return { content: value };
}

function checkPath(resource: ResourceDef, action: ActionDef, mapped: MappedRow, checker: Checker): void {
  for (const field of pathFields(resource, action)) {
    const value = mapped.path[field.name];
    if (value === undefined || value === '') {
      checker.add(field.name, `${field.name} is needed to address the ${singularName(resource)} (${action.method} ${action.path})`);
    } else if (field.type === 'integer' && !(typeof value === 'number' && Number.isSafeInteger(value))) {
      checker.add(field.name, `${show(value)} is not a whole number`);
    }
  }
}

/**
 * The problems of one mapped body (none: it can be sent), and for updates the required top-level
 * fields the row lacks, which the engine reads from the record and fills in. Sets never-true
 * booleans to false in the body.
 */
export function validateBody(
  resource: ResourceDef,
  action: ActionDef,
  mapped: MappedRow,
  options: ValidateOptions = {},
): { problems: RowProblem[]; fillFromRecord: string[]; trimmedEmails: number } {
  const coercer = new Coercer(options.formats);
  const checker = new Checker(mapped, action.body?.rowItems, options.columnFor, coercer);
  checkPath(resource, action, mapped, checker);
  const body = mapped.body;
  const writeBody = action.body;
  if (!writeBody) return { problems: checker.problems, fillFromRecord: [], trimmedEmails: 0 };
  const properties = new Map(bodyProperties(resource, action).map((p) => [p.name, p]));
  const discriminatorOf = (name: string) => resource.fields.find((f) => f.name === name)?.discriminator;
  for (const [name, value] of Object.entries(body)) {
    const property = properties.get(name);
    if (!property) checker.add(name, `${resource.name} ${action.id} does not take ${name}`);
    else if (value !== undefined) body[name] = checker.value(property, value, name, discriminatorOf(name));
  }
  const context: Context = { body, checker, isUpdate: action.kind === 'update', fillFromRecord: [], discriminatorOf };
  checkRequired(context, writeBody.required ?? []);
  for (const rule of writeBody.rules ?? []) checkRule(context, rule);
  for (const name of writeBody.neverTrue ?? []) {
    if (body[name] === true) checker.add(name, `true is refused: it would charge the card at once (leave it empty and false is sent)`);
    else if (body[name] === undefined || body[name] === null) body[name] = false;
  }
  if (action.kind === 'upsert') checkMatchKey(resource, body, checker);
  if (options.customModel) checkCustomFields(context, options.customModel);
  return { problems: checker.problems, fillFromRecord: context.fillFromRecord, trimmedEmails: coercer.trimmedEmails };
}
