/**
 * Small builders for catalog data, so each resource file reads like the seed's field list.
 * Component lists follow the spec's schemas; where the seed's templates list other components,
 * the resource records a Deviation.
 */
import type { FieldDef, FieldType, QueryParamType } from './types.js';

type Extra = Omit<Partial<FieldDef>, 'name' | 'type'>;

export const field = (name: string, type: FieldType, extra: Extra = {}): FieldDef => ({ name, type, ...extra });
export const str = (name: string, extra?: Extra): FieldDef => field(name, 'string', extra);
export const int = (name: string, extra?: Extra): FieldDef => field(name, 'integer', extra);
export const num = (name: string, extra?: Extra): FieldDef => field(name, 'number', extra);
export const bool = (name: string, extra?: Extra): FieldDef => field(name, 'boolean', extra);
export const dt = (name: string, extra?: Extra): FieldDef => field(name, 'datetime', extra);
export const date = (name: string, extra?: Extra): FieldDef => field(name, 'date', extra);
export const obj = (name: string, components: string[], extra?: Extra): FieldDef => field(name, 'object', { components, ...extra });
/** An array of objects (JSON text in CSV unless it has a discriminator). */
export const objs = (name: string, components: string[], extra?: Extra): FieldDef => field(name, 'array', { components, ...extra });
/** A plain array of scalars (JSON text in CSV). */
export const list = (name: string, items: FieldType, extra?: Extra): FieldDef => field(name, 'array', { items, ...extra });
/** The record's id: key and read-only. */
export const id = (name = 'id'): FieldDef => int(name, { key: true, readOnly: true });

/** Arrays keyed by a `field` discriminator: CSV columns `<name>.<VALUE>.<component>`. */
export const keyed = (name: string, components: string[], values: string[], extra?: Extra): FieldDef =>
  objs(name, components, { discriminator: 'field', discriminatorValues: values, ...extra });

// Component lists, as the spec's schemas have them.
export const ADDRESS = ['country_code', 'field', 'line1', 'line2', 'locality', 'postal_code', 'region', 'zip_code', 'zip_four'];
/** Company and user addresses: no `field`, no `postal_code`. */
export const PLAIN_ADDRESS = ['country_code', 'line1', 'line2', 'locality', 'region', 'zip_code', 'zip_four'];
export const PHONE = ['extension', 'field', 'number', 'number_e164', 'type'];
export const FAX = ['field', 'number', 'type'];
export const EMAIL_ADDRESS = ['email', 'field'];
export const ADDRESS_KINDS = ['BILLING', 'SHIPPING', 'OTHER'];
export const EMAIL_KINDS = ['EMAIL1', 'EMAIL2', 'EMAIL3'];
export const PHONE_KINDS = ['PHONE1', 'PHONE2', 'PHONE3', 'PHONE4', 'PHONE5'];
export const FAX_KINDS = ['FAX1', 'FAX2'];

// Filter value types (ActionDef.filterTypes), as the spec's query parameters have them.
export const WHOLE_NUMBER: QueryParamType = { type: 'integer' };
export const TRUE_OR_FALSE: QueryParamType = { type: 'boolean' };
export const enumParam = (...values: string[]): QueryParamType => ({ type: 'string', enum: values });
