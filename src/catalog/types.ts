/**
 * The resource catalog's shape. The catalog is data: every resource of the seed, described
 * closely enough that one generic engine can read, flatten, write and document it. If the
 * engine needs to special-case a resource, a property belongs here instead.
 *
 * Paths are relative to the REST v1 base (`https://api.infusionsoft.com/crm/rest/v1`) and use
 * `{name}` placeholders. In the spec the same paths carry a `/v1` prefix.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Value types, close to the seed's SSIS types (DT_I4 -> integer, DT_R8 -> number, ...). */
export type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'object'
  | 'array'
  | 'binary';

export interface FieldDef {
  /** Property name in the API record (top level). */
  name: string;
  type: FieldType;
  /** Identifies the record (or, for child resources, its parent). */
  key?: boolean;
  /** Sent by Keap, never accepted on write. */
  readOnly?: boolean;
  /**
   * Accepted on write (request body or a write path placeholder) but not in any read response
   * (affiliate `password`, order `order_title`, campaign membership `sequence_id`).
   */
  writeOnly?: boolean;
  /**
   * For `object` fields, its properties; for `array` fields of objects, each element's properties.
   * Order is the column order in CSV.
   */
  components?: string[];
  /**
   * For arrays of objects keyed by a discriminator property (email_addresses, phone_numbers,
   * addresses, fax_numbers): that property's name, normally `field`. CSV flattens such arrays
   * to `<name>.<discriminator value>.<component>` columns.
   */
  discriminator?: string;
  /** The discriminator's values in column order (`EMAIL1`, `EMAIL2`, `EMAIL3`), from the spec's enum. */
  discriminatorValues?: string[];
  /** Element type of a plain array (`array` of integers, strings): JSON text in CSV. */
  items?: FieldType;
  description?: string;
}

/**
 * How a read endpoint's response body holds its records.
 *  - `page`:   `{<key>: [...], count, next, previous}`, paged with limit/offset.
 *  - `list`:   `{<key>: [...]}` without paging (`/affiliates/summaries`, `/merchants`); `carry` names
 *              properties beside the list that belong to every record, copied onto each
 *              (`default_merchant_account`).
 *  - `array`:  a bare JSON array (`/hooks`, `/opportunity/stage_pipeline`, `/orders/{id}/payments`).
 *  - `object`: one object, which is one record (`/account/profile`, `/contacts/{id}`).
 *  - `map`:    `{<key>: {CODE: name, ...}}`, turned into records `{<keyName>: CODE, <valueName>: name}`.
 */
export type ResponseShape =
  | { kind: 'page'; key: string }
  | { kind: 'list'; key: string; carry?: string[] }
  | { kind: 'array' }
  | { kind: 'object' }
  | { kind: 'map'; key: string; keyName: string; valueName: string };

export interface ParamDef {
  /** Placeholder name in the path (`tag_id` in `/tags/{tag_id}/contacts`), given as `--param tag_id=5`. */
  name: string;
  description: string;
}

/** A query parameter's value as the spec types it (`--where` values are checked against it). */
export interface QueryParamType {
  type: 'integer' | 'boolean' | 'string';
  /** The only values the spec allows, when it lists them. */
  enum?: string[];
}

export interface DateFilter {
  /** Query parameter for the lower bound (`since`, `since_sent_date`). */
  since: string;
  /** Query parameter for the upper bound (`until`, `until_sent_date`). */
  until: string;
  /** Record field the filter applies to, used for `--state` bookmarks (`last_updated`). */
  field: string;
}

export type ActionKind = 'read' | 'read-single' | 'create' | 'update' | 'upsert' | 'delete';

export interface ActionDef {
  /** Stable identifier shown by `resources`: `read`, `read-single`, `read-by-tag`, `create`, ... */
  id: string;
  kind: ActionKind;
  /** The seed's name for it: `Read`, `Read tag`, `Read Tagged Contacts`. */
  title: string;
  method: HttpMethod;
  /** Relative to the v1 base, with `{name}` placeholders. */
  path: string;
  /**
   * Placeholders a read needs from the user (`--param`). Writes fill placeholders from the
   * record's own fields, named the same.
   */
  params?: ParamDef[];
  /** Reads: where the records are in the response. */
  shape?: ResponseShape;
  /** Reads: the spec's date window parameters, when the endpoint has them. */
  dateFilter?: DateFilter;
  /** Reads: query parameters the spec allows as filters (`--where KEY=VALUE`). */
  filters?: string[];
  /** Reads: the spec's type or enum of each filter that is not free text (a filter not here takes any text). */
  filterTypes?: Record<string, QueryParamType>;
  /** Fixed query parameters sent on every request of this action (`optional_properties=file_data`). */
  query?: Record<string, string>;
  /**
   * Reads: map output field -> dot path into the API's record, for endpoints whose records wrap
   * the resource (`/tags/{id}/contacts` returns `{contact:{id,email,...}, date_applied}`).
   */
  recordMap?: Record<string, string>;
  /**
   * Reads whose records are another resource's (`/opportunity/stage_pipeline` under opportunities):
   * that resource's name. Its fields give the CSV columns, its gathered fields `--include`.
   */
  recordsOf?: string;
  /** The spec's operationId, checked by the conformance tests. */
  operationId: string;
  deprecated?: boolean;
  /** Anything a user should know about this action (shown by `resources` and in docs). */
  note?: string;
}

/**
 * A field whose value comes from a second request per record (`--include NAME`), or from one
 * request per run joined onto the records (`join`).
 */
export interface GatheredDef {
  name: string;
  /** Relative path; `{field}` placeholders are filled from the record (`/contacts/{id}/tags`). */
  path: string;
  shape: ResponseShape;
  /** For `object` responses, take just this property (`value` of `/setting/application/enabled`). */
  pick?: string;
  /** Fixed query parameters sent with the request (`optional_properties=file_data`). */
  query?: Record<string, string>;
  /** Like ActionDef.recordMap: reshape each gathered element (`/tags/{id}/contacts` wraps a contact). */
  recordMap?: Record<string, string>;
  /** Fetch once and attach to each record whose `recordField` equals the item's `itemField`. */
  join?: { recordField: string; itemField: string };
  /** Properties of each gathered element, for docs and CSV. */
  components?: string[];
  operationId: string;
  deprecated?: boolean;
  description: string;
}

/** Custom ("external") fields, described by the resource's `/model` endpoint. */
export interface CustomFieldSource {
  /** `/contacts/model`: returns `{custom_fields: [{id, label, field_type, ...}], optional_properties}`. */
  modelPath: string;
  /**
   * How records get their values:
   *  - `list`:   the list endpoint accepts `optional_properties=custom_fields` (send it on every page);
   *  - `single`: only the single-record endpoint returns them (one extra request per record).
   */
  via: 'list' | 'single';
}

/** One place where the catalog follows the spec rather than the seed, with the reason. */
export interface Deviation {
  what: string;
  why: string;
}

export interface ResourceDef {
  /** What users type: plural kebab-case (`contacts`, `order-items`). */
  name: string;
  /** Other accepted names (singular, seed names, snake_case). */
  aliases: string[];
  /** The seed's name for the resource (`Contact`, `E-Commerce Transaction`). */
  title: string;
  description: string;
  fields: FieldDef[];
  /** Names of key fields, in order. */
  keyFields: string[];
  gathered?: GatheredDef[];
  customFields?: CustomFieldSource;
  /** The record's update-time field, for incremental export (`last_updated`). */
  updatedField?: string;
  /** Upserts: the spec's duplicate-check values (`Email`, `EmailAndName`). */
  duplicateOptions?: string[];
  actions: ActionDef[];
  deviations?: Deviation[];
}
