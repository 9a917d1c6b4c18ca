/**
 * Gathering: what a record is given between its page and the writer. Custom fields by label, the
 * gathered fields (`--include`: read once per run and joined, or read per record), and the records
 * deleted meanwhile, written with null for what could not be read.
 */
import type { KeapApi } from '../../api/types.js';
import { actionsOfKind, singularName } from '../../catalog/index.js';
import type { GatheredDef, ResourceDef } from '../../catalog/types.js';
import { ApiError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { addCustomFields, type CustomFieldModel } from '../custom-fields.js';
import { applyRecordMap, pick } from '../project.js';
import { type InverseValues, sortByPath } from './inverse-join.js';
import { fillPath } from './plan.js';
import { CUSTOM_FIELDS_INCLUDE, type ExportPlan } from './types.js';

/** Reads a dot path (`contact.id`) from a record. */
function recordValues(record: Record<string, unknown>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === 'string' || typeof v === 'number') values.set(k, String(v));
  }
  return values;
}

/** Runs `work` over items with at most `limit` in flight, keeping results in input order. */
export async function mapConcurrent<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads the gathered fields of records: the per-run (`join`) ones once, the others record by record. */
export class Gatherer {
  private joined = new Map<string, Map<string, unknown[]>>();
  /** Fields read from their inverse lists before the records (gather-plan.ts). */
  private inverse = new Map<string, InverseValues>();
  constructor(
    private readonly api: KeapApi,
    private readonly resource: ResourceDef,
    private readonly signal?: AbortSignal,
  ) {}

  /** Fetches the per-run (`join`) gathered fields once. */
  async prepare(defs: GatheredDef[]): Promise<void> {
    for (const def of defs) {
      if (!def.join) continue;
      const index = new Map<string, unknown[]>();
      const query = def.query ?? {};
      for await (const page of this.api.paginate(def.path, def.shape, { query, signal: this.signal })) {
        for (const raw of page.records) {
          const item = applyRecordMap(raw, def.recordMap);
          const key = String(pick(item, def.join.itemField));
          const list = index.get(key) ?? [];
          list.push(item);
          index.set(key, list);
        }
      }
      this.joined.set(def.name, index);
    }
  }

  useInverse(field: string, values: InverseValues): void {
    this.inverse.set(field, values);
  }

  /** Whether a field costs a request per record (not joined, not read inversely). */
  perRecord(def: GatheredDef): boolean {
    return !def.join && !this.inverse.has(def.name);
  }

  async value(def: GatheredDef, record: Record<string, unknown>): Promise<unknown> {
    const inverse = this.inverse.get(def.name);
    if (inverse) return inverse.valueOf(record);
    if (def.join) {
      return this.joined.get(def.name)?.get(String(record[def.join.recordField])) ?? [];
    }
    const path = fillPath(def.path, recordValues(record), `--include ${def.name} on ${this.resource.name}`);
    const query = def.query ?? {};
    if (def.shape.kind === 'object') {
      const response = await this.api.request('GET', path, { query, signal: this.signal });
      const body = response.body as Record<string, unknown> | null;
      return def.pick ? (body?.[def.pick] ?? null) : body;
    }
    const items: unknown[] = [];
    for await (const page of this.api.paginate(path, def.shape, { query, signal: this.signal })) {
      for (const raw of page.records) items.push(def.recordMap ? applyRecordMap(raw, def.recordMap) : raw);
    }
    return sortByPath(items, def.orderBy);
  }

  async customFieldsOf(record: Record<string, unknown>): Promise<unknown> {
    const single = actionsOfKind(this.resource, 'read-single')[0];
    if (!single) return undefined;
    const path = fillPath(single.path, recordValues(record), `custom fields of ${this.resource.name}`);
    const response = await this.api.request('GET', path, {
      query: { optional_properties: CUSTOM_FIELDS_INCLUDE },
      signal: this.signal,
    });
    return (response.body as Record<string, unknown> | null)?.custom_fields ?? [];
  }
}

interface Missed {
  fields: string[];
  request?: string;
}

/** Warning lines for records deleted meanwhile before the rest are only counted in the summary. */
const VANISHED_WARNINGS = 20;

/**
 * Records deleted between the read of their page and a read of their gathered fields (Keap answers
 * 404; an `--include` run can take hours). The record is still written, with null for each gathered
 * field that could not be read, and each one is named in a warning, not a failed run.
 */
export class VanishedRecords {
  count = 0;
  constructor(
    private readonly resource: ResourceDef,
    private readonly reporter: Reporter,
  ) {}

  /** The value `read` gives, or null (and the field and the refused request noted) when the record is gone. */
  async read(field: string, missed: Missed, read: () => Promise<unknown>): Promise<unknown> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      missed.fields.push(field);
      missed.request ??= `${error.method} ${new URL(error.url, 'http://host').pathname}`;
      return null;
    }
  }

  report(record: Record<string, unknown>, missed: Missed): void {
    if (missed.fields.length === 0) return;
    this.count++;
    if (this.count > VANISHED_WARNINGS) return;
    const keys = this.resource.keyFields.length ? this.resource.keyFields : ['id'];
    const name = `${singularName(this.resource)} ${keys.map((k) => `${k}=${String(record[k])}`).join(' ')}`;
    this.reporter.warn(
      `${this.resource.name}: ${name} was deleted during the export (${missed.request} answered 404); ` +
        `written with null for ${missed.fields.join(', ')}`,
    );
    if (this.count === VANISHED_WARNINGS)
      this.reporter.warn(`${this.resource.name}: further records deleted meanwhile are only counted in the summary`);
  }
}

/** What mapping a record needs: the plan, the custom-field model, and the readers of gathered fields. */
interface MappingParts {
  plan: ExportPlan;
  model: CustomFieldModel | undefined;
  gatherer: Gatherer;
  vanished: VanishedRecords;
}

/**
 * How records are mapped: `shape` (no request), `enrich` (shape, then the per-record reads;
 * `onEnriched` after each record when those cost requests), and whether they do (`needsRequests`).
 */
export function recordMapper(parts: MappingParts, onEnriched: () => void) {
  const { plan, model, gatherer, vanished } = parts;
  const parentEntries = Object.entries(plan.parentValues);
  const needsRequests = plan.gathered.some((g) => gatherer.perRecord(g)) || plan.customFields === 'single';
  /** The record as written, before any per-record request: reshaped, parent ids, custom fields by label. */
  const shape = (raw: unknown): Record<string, unknown> => {
    const record = applyRecordMap(raw, plan.action.recordMap);
    for (const [name, value] of parentEntries) if (record[name] === undefined) record[name] = value;
    if (model && plan.customFields !== 'single') addCustomFields(record, model);
    return record;
  };
  const enrich = async (raw: unknown): Promise<Record<string, unknown>> => {
    const record = shape(raw);
    const missed: Missed = { fields: [] };
    if (plan.customFields === 'single') {
      record.custom_fields = await vanished.read(CUSTOM_FIELDS_INCLUDE, missed, () => gatherer.customFieldsOf(record));
      if (model) addCustomFields(record, model);
    }
    for (const def of plan.gathered) record[def.name] = await vanished.read(def.name, missed, () => gatherer.value(def, record));
    vanished.report(record, missed);
    // With per-record requests a page takes a while: move the progress line record by record.
    if (needsRequests) onEnriched();
    return record;
  };
  return { shape, enrich, needsRequests };
}
