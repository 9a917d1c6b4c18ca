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
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'object' | 'array' | 'binary';

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

/**
 * What a date filter's field is, which decides how `--state` finds new and changed records:
 *  - `updated`: an update time, confirmed (Keap's spec says contacts' since/until filter on
 *    LastUpdated). A bookmark on it sees every change: `--state` asks only for records since it.
 *  - `updated-unconfirmed`: assumed to be an update time, but Keap does not say which field the
 *    filter applies to. A wrong guess would miss changes for ever, so `--state` does not rely on it.
 *  - `event`: when something happened (an appointment's start, an email's sending): an edit does
 *    not move it, and a new record may be dated before any bookmark.
 * Only `updated` gets bookmarks; the others (and endpoints without a date filter) read every
 * record and write those whose content changed since the last run.
 */
export type DateFilterKind = 'updated' | 'updated-unconfirmed' | 'event';

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
  kind: DateFilterKind;
}

/**
 * One property a write body takes, typed for checking before anything is sent. Components of
 * objects and of arrays of objects are typed too (`order_items[].quantity` is an integer).
 */
export interface BodyProperty {
  name: string;
  type: FieldType;
  /** Element type of a plain array (`promo_codes`: string). */
  items?: FieldType;
  /** The only values the spec accepts (`order_type`: Offline, Online). */
  enum?: string[];
  /** For `object`, its properties; for `array` of objects, each element's properties. */
  components?: BodyProperty[];
}

/**
 * A rule the spec states only in an operation's description, not in its schema. `quote` is the
 * spec's own words, so the conformance test can check the rule is still there.
 *  - `one-of`:   at least one of `fields` must be present (contacts: email_addresses or phone_numbers);
 *  - `all-of`:   every one of `fields` must be present;
 *  - `requires`: `field` must be present when `when` is present, or, with `equals`, has that value.
 * Names may be dot paths into components (`addresses.country_code`: in every address given).
 */
export type BodyRule =
  | { kind: 'one-of' | 'all-of'; fields: string[]; quote: string }
  | { kind: 'requires'; field: string; when: string; equals?: string; quote: string };

/**
 * What a create, update or upsert body must and may hold, from the spec's request schema.
 * Compact: it names the record's fields it takes as they are, and spells out only what differs.
 */
export interface WriteBody {
  /**
   * Record fields the body takes with their FieldDef type and components (components untyped in
   * FieldDef are strings; a discriminator takes its discriminatorValues): `writable` for every field
   * not read-only, or a list of names.
   */
  fields: 'writable' | readonly string[];
  /** Body properties that are not record fields, or that the body types differently (they replace that field). */
  properties?: BodyProperty[];
  /**
   * Must be present, from the schema's `required`: top-level names, and `parent.component` for a
   * component that each element (or the object) given must have (`order_items.product_id`).
   */
  required?: string[];
  /** What the spec requires only in prose. */
  rules?: BodyRule[];
  /**
   * Booleans that must never be sent true, because true charges a card at once (`charge_now`,
   * `auto_charge`). A row with true is refused; left out, false is sent, since Keap's default may be true.
   */
  neverTrue?: string[];
  /** Body-only properties that are options of the call rather than record data (`duplicate_option`). */
  options?: string[];
  /**
   * The array property that import fills one element per input row (orders: `order_items`): rows
   * sharing a group column (`--group-by`, default `order_ref`) become one body, and columns named
   * like the array's components (`product_id`, `quantity`) feed its elements.
   */
  rowItems?: string;
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
  /**
   * Creates, updates and upserts: what the request body must and may hold. Placeholders of a write
   * path are filled from the record fields of the same name (`{order_id}`), never from the body.
   */
  body?: WriteBody;
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
   * Plain (list) reads: properties the resource's single read shows that this list's records lack,
   * from the spec's two response schemas (contacts: `relationships`, `origin`, `opt_in_reason`,
   * `tag_ids`). An import that needs one of them from the record (a merge, a comparison) reads that
   * record by itself instead of taking it from a list read.
   */
  listLacks?: string[];
  /**
   * Paged reads: the query parameters that ask for a stable order (`{order: 'id', order_direction:
   * 'ASCENDING'}`), values from the spec's enums. Sent on every page so that overlapping pages line
   * up; without it Keap's default order is used.
   */
  stableOrder?: Record<string, string>;
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
  /**
   * Reads whose one `--param` names a parent record (an order item's `order_id`): without it,
   * export walks every parent instead, listing `resource` with its plain read and reading this
   * action once per parent, `param` filled from the parent's `field` (and written into each record,
   * as `--param` is).
   */
  parent?: ParentWalk;
  /**
   * Creates: the dot path to the new record's id in the response, when it is not the resource's key
   * field at the top (`POST /files` answers `{file_descriptor: {id}, file_data}`).
   */
  createdId?: string;
  /** The spec's operationId, checked by the conformance tests. */
  operationId: string;
  deprecated?: boolean;
  /** Anything a user should know about this action (shown by `resources` and in docs). */
  note?: string;
}

/** Which parent a child read walks without its `--param` (see ActionDef.parent). */
export interface ParentWalk {
  /** The path parameter the parent's id fills (`order_id`). */
  param: string;
  /** The parent resource, read with its plain read (`orders`). */
  resource: string;
  /** The parent record's field that holds the id (`id`). */
  field: string;
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
  /**
   * The same facts read the other way round, from a list of groups and each group's members (contact
   * `tags`: `GET /tags`, then `GET /tags/{id}/contacts`). An incremental export reads it to see
   * memberships change where the record's update time does not move (applying a tag may not).
   */
  inverse?: InverseList;
  /**
   * The order of a record's values (a dot path in each element, compared as numbers when both are):
   * `tag.id`. Both plans, per record and inverse, write the values in it, so their outputs are the same bytes.
   */
  orderBy?: string;
}

/** A gathered field's facts as lists of members per group (see GatheredDef.inverse). */
export interface InverseList {
  /** The groups (`/tags`), each with an `id`. */
  groups: { path: string; shape: ResponseShape; operationId: string };
  /** One group's members (`/tags/{id}/contacts`); `{id}` is the group's id. */
  members: { path: string; shape: ResponseShape; operationId: string };
  /** Dot path to the record's id in a member (`contact.id`). */
  recordId: string;
  /** Dot path to what changes when a membership is made again (`date_applied`), if any. */
  stamp?: string;
  /**
   * How the inverse plan builds one element of the per-record value from a membership (the
   * per-record shape is the reference): element dot path -> `group.<path>` or `member.<path>`, in
   * the per-record element's key order. Where the two disagree in shape it names the part to take:
   * a tag's `category` is an object in `/tags` and its name per contact (`group.category.name`).
   * Without it the field has no inverse plan (the lists only serve change tracking).
   */
  element?: Record<string, string>;
  /** Element values for a source that is absent (a tag without a category: `''`). */
  absent?: Record<string, unknown>;
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

/**
 * A value people know a record by (an email, a SKU, a tag name), so that `import --lookup
 * contact_id=contacts.email` can turn it into the record's id through the resource's plain read.
 */
export interface NaturalKey {
  /** What `--lookup` calls it: `email`, `sku`, `name`. */
  name: string;
  /**
   * Dot path to the value in a record of the plain read. Arrays on the way are searched element-wise
   * (`email_addresses.email`: any of the contact's email addresses).
   */
  path: string;
  /**
   * The plain read's query parameter that filters on this key, when the spec has one: one filtered
   * request per value. Without it the whole list is read once and indexed. Keap's filters may match
   * loosely, so the records read are always compared exactly again.
   */
  filter?: string;
  /** Matching ignores case (email addresses do; names and SKUs do not). */
  ignoreCase?: boolean;
  /**
   * Where a create or upsert body carries the value, to find the record an interrupted create may
   * have made (`import --resume`). A dot path; on a keyed array a segment may name the element by
   * its discriminator value (`email_addresses.EMAIL1.email`). Left out: the key cannot recover.
   */
  bodyPath?: string;
}

/**
 * An array of objects a write may replace as a whole, and how its elements are told apart. Import
 * merges it with the record's elements by `key` before a partial update (whatever `keap` says: a
 * merged list is right either way), and the sandbox does what `keap` says.
 */
export interface ArrayWrite {
  /** The record field and body property (`email_addresses`, `custom_fields`). */
  name: string;
  /** The element property that identifies an element: `field` (EMAIL1, PHONE2), `id` (a custom field), `type`. */
  key: string;
  /** What Keap does with the record's elements a write leaves out: `replaces` removes them, `merges` keeps them. */
  keap: 'replaces' | 'merges';
  /** Where `keap` comes from, with UNCONFIRMED where Keap does not say it for v1. */
  source: string;
  /** Keap's own words, when documented (checked against ../shared/keap/v2-openapi.yml by a test). */
  quote?: string;
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
  /**
   * Fields that identify a record as read, for `--state` change tracking, when they are not the
   * key fields that appear in read records (order payments are keyed by their order for writes,
   * but several payments share one order).
   */
  readKey?: string[];
  gathered?: GatheredDef[];
  customFields?: CustomFieldSource;
  /**
   * The field the read's date filter applies to (`last_updated`, `start_date`): an update time
   * only where the filter's `kind` says so.
   */
  updatedField?: string;
  /**
   * The read-only field that holds when a record was created (`date_created`): tells a record an
   * import's create made from one that existed before (`import`'s unknown rows, upserts).
   */
  createdField?: string;
  /**
   * Values that identify a record to people (`--lookup`), in order of preference: the first with a
   * `bodyPath` is the one `--resume` uses to find a record an interrupted create may have made.
   */
  naturalKeys?: NaturalKey[];
  /** Arrays a write may replace as a whole: import merges them with the record first (see ArrayWrite). */
  arrayWrites?: ArrayWrite[];
  /** Upserts: the spec's duplicate-check values (`Email`, `EmailAndName`). */
  duplicateOptions?: string[];
  actions: ActionDef[];
  deviations?: Deviation[];
}
