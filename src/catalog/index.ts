/**
 * The catalog: every resource of the seed, in the seed's order, and lookups by name or alias.
 * Pure data plus lookups: this module imports nothing from api/, etl/, auth/ or commands/.
 */
import { UsageError } from '../errors.js';
import type { ActionDef, ActionKind, ResourceDef } from './types.js';
import { accountProfile } from './resources/account.js';
import { affiliateCommissions, affiliatePrograms, affiliateRedirectLinks, affiliates } from './resources/affiliates.js';
import { appointments } from './resources/appointments.js';
import { campaigns } from './resources/campaigns.js';
import { companies } from './resources/companies.js';
import { contacts } from './resources/contacts.js';
import { orderItems, orderPayments, orders, subscriptions, transactions } from './resources/ecommerce.js';
import { emails } from './resources/emails.js';
import { files } from './resources/files.js';
import { countries } from './resources/locales.js';
import { merchants } from './resources/merchants.js';
import { notes } from './resources/notes.js';
import { opportunities, opportunityStagePipelines } from './resources/opportunities.js';
import { productSubscriptions, products } from './resources/products.js';
import { hooks } from './resources/hooks.js';
import { applicationSettings } from './resources/settings.js';
import { tags } from './resources/tags.js';
import { tasks } from './resources/tasks.js';
import { users } from './resources/users.js';

export type * from './types.js';

export const catalog: readonly ResourceDef[] = [
  accountProfile,
  affiliates,
  affiliateCommissions,
  affiliatePrograms,
  affiliateRedirectLinks,
  appointments,
  campaigns,
  companies,
  contacts,
  orders,
  orderItems,
  orderPayments,
  subscriptions,
  transactions,
  emails,
  files,
  countries,
  merchants,
  notes,
  opportunities,
  opportunityStagePipelines,
  products,
  productSubscriptions,
  hooks,
  applicationSettings,
  tags,
  tasks,
  users,
];

/** Names compare case-insensitively, and `_`, spaces and `-` are the same. */
function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

const byName = new Map<string, ResourceDef>();
for (const resource of catalog) {
  for (const name of [resource.name, ...resource.aliases, resource.title]) byName.set(normalise(name), resource);
}

/** The resource called `name` (its name, an alias or the seed's title, in any case); a UsageError otherwise. */
export function findResource(name: string): ResourceDef {
  const resource = byName.get(normalise(name));
  if (resource) return resource;
  const suggestion = suggestResource(name);
  throw new UsageError(`unknown resource "${name}"`, {
    hint: `${suggestion ? `did you mean "${suggestion.name}"? ` : ''}Run "infusionsoft resources" for the list.`,
  });
}

/** The closest resource name for a mistyped one, or undefined when nothing is close. */
export function suggestResource(name: string): ResourceDef | undefined {
  const wanted = normalise(name);
  if (!wanted) return undefined;
  let best: { resource: ResourceDef; score: number } | undefined;
  for (const [candidate, resource] of byName) {
    // A name that extends a real one (`contact-tag`) counts as close, though not as close as one typo.
    const extendsName = Math.min(wanted.length, candidate.length) >= 4 && (candidate.startsWith(wanted) || wanted.startsWith(candidate));
    const score = Math.min(editDistance(wanted, candidate), extendsName ? 1.5 : Infinity);
    if (!best || score < best.score) best = { resource, score };
  }
  // Allow about one typo per three letters; beyond that a guess misleads more than it helps.
  return best && best.score <= Math.max(2, Math.floor(wanted.length / 3)) ? best.resource : undefined;
}

/** Levenshtein distance: how many one-letter edits turn `a` into `b` (for "did you mean" hints). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The resource's action with this id (`read`, `read-by-tag`, ...), or undefined. */
export function findAction(resource: ResourceDef, id: string): ActionDef | undefined {
  return resource.actions.find((action) => action.id === id);
}

/** The resource's actions of one kind, in catalog order (`readActions` is `actionsOfKind(r, 'read')`). */
export function actionsOfKind(resource: ResourceDef, kind: ActionKind): ActionDef[] {
  return resource.actions.filter((action) => action.kind === kind);
}

/** The action `export` uses by default: the first plain read. */
export function defaultReadAction(resource: ResourceDef): ActionDef | undefined {
  return resource.actions.find((action) => action.kind === 'read');
}

/** Whether an action reads (a list or one record): what `export` can use. */
export function isReadAction(action: { kind: string }): boolean {
  return action.kind === 'read' || action.kind === 'read-single';
}

/** The resource's read actions (lists and single records), in catalog order. */
export function readActions(resource: ResourceDef): ActionDef[] {
  return resource.actions.filter(isReadAction);
}

/** The resource's write actions (create, update, upsert, delete), in catalog order. */
export function writeActions(resource: ResourceDef): ActionDef[] {
  return resource.actions.filter((action) => !isReadAction(action));
}

/** The read of the whole list, without path parameters (`GET /contacts`), if the resource has one. */
export function plainReadAction(resource: ResourceDef): ActionDef | undefined {
  return resource.actions.find((action) => action.kind === 'read' && !(action.params ?? []).length);
}

export { bodyProperties, bodyRows, pathFields, ruleText, type BodyRow } from './bodies.js';

/**
 * How `--state` finds an action's new and changed records: `since`, a bookmark on a confirmed
 * update time; `hash`, every record read and compared with the last run's content hashes (event
 * times, update times Keap does not confirm, and endpoints without a date filter).
 */
export type IncrementalMode = 'since' | 'hash';

export function incrementalModeOf(action: ActionDef): IncrementalMode {
  return action.dateFilter?.kind === 'updated' ? 'since' : 'hash';
}

/** The fields that identify a record as read (empty: the record has no key, its content is its identity). */
export function readKeyOf(resource: ResourceDef): string[] {
  if (resource.readKey) return resource.readKey;
  return resource.keyFields.filter((name) => !resource.fields.find((field) => field.name === name)?.writeOnly);
}

/** How `--state` treats an action, in one line: for the run's notice, `describe` and the docs. */
export function incrementalDescription(action: ActionDef): string {
  const df = action.dateFilter;
  const byContent = 'every record is read, and only those new or changed since the last run are written';
  if (!df) return `no date filter: ${byContent}`;
  switch (df.kind) {
    case 'updated':
      return `bookmark on ${df.field}, an update time: only records updated since the last run are read`;
    case 'updated-unconfirmed':
      return `${df.field} is assumed to be an update time, but Keap does not confirm that its date filter applies to it: ${byContent}`;
    case 'event':
      return `${df.field} is an event time, not an update time (an edit does not move it): ${byContent}`;
  }
}

/**
 * What one record of a resource is called in messages: its name without the plural ending
 * (`contacts` -> `contact`, `countries` -> `country`); a name that is not a plural stays as it is.
 */
export function singularName(resource: ResourceDef): string {
  if (resource.name.endsWith('ies')) return `${resource.name.slice(0, -3)}y`;
  if (resource.name.endsWith('s')) return resource.name.slice(0, -1);
  return resource.name;
}
