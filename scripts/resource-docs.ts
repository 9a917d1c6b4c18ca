/**
 * Renders docs/resources.md from the catalog. Deterministic: the same catalog gives the same bytes,
 * so a test can tell when the committed file is stale.
 *
 * Run as a script (`npm run docs`, which runs the compiled dist-scripts/scripts/resource-docs.js), it
 * writes docs/resources.md next to package.json. It lives outside src/ so the catalog stays pure data.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bodyProperties, bodyRows, pathFields, ruleText } from '../src/catalog/bodies.js';
import {
  defaultReadAction,
  incrementalDescription,
  incrementalModeOf,
  readActions,
  readKeyOf,
  writeActions,
} from '../src/catalog/index.js';
import type { ActionDef, DateFilterKind, FieldDef, GatheredDef, QueryParamType, ResourceDef, ResponseShape } from '../src/catalog/types.js';
import { repoRoot } from './repo-root.js';

/** Escapes a value for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

function describeShape(shape: ResponseShape | undefined): string {
  if (!shape) return '';
  switch (shape.kind) {
    case 'page':
      return `page of ${code(shape.key)}`;
    case 'list':
      return `list in ${code(shape.key)} (not paged)${shape.carry?.length ? `, with ${shape.carry.map(code).join(', ')} copied onto each record` : ''}`;
    case 'array':
      return 'bare array';
    case 'object':
      return 'one object';
    case 'map':
      return `map ${code(shape.key)} → {${shape.keyName}, ${shape.valueName}}`;
  }
}

function describeType(field: FieldDef): string {
  if (field.type === 'array' && field.items) return `array of ${field.items}`;
  if (field.type === 'array' && field.components) return 'array of objects';
  return field.type;
}

function describeFieldDetail(field: FieldDef): string {
  const parts: string[] = [];
  if (field.discriminator) {
    parts.push(`by ${code(field.discriminator)}: ${(field.discriminatorValues ?? []).map(code).join(', ')}`);
  }
  if (field.components) parts.push(`components: ${field.components.join(', ')}`);
  if (field.description) parts.push(field.description);
  return parts.join('; ');
}

const DATE_KIND: Record<DateFilterKind, string> = {
  updated: 'update time',
  'updated-unconfirmed': 'update time, unconfirmed',
  event: 'event time',
};

/** `since` on the field, or `by content`: the short form for tables. */
function incrementalCell(action: ActionDef): string {
  return incrementalModeOf(action) === 'since' ? `since ${code(action.dateFilter?.field ?? '')}` : 'by content';
}

/** Every read action: its date filter, what the filter's field is, and what `--state` does. */
function renderIncrementalTable(resources: readonly ResourceDef[]): string[] {
  const lines = ['## Incremental export', ''];
  lines.push(
    'What `export --state` does for each read (see [export.md](export.md#incremental-export---state)). **since**: Keap is',
    'asked only for records updated since the bookmark. **by content**: every record is read and only those whose',
    'content changed since the last run are written. **deletions**: whether records that disappeared are reported',
    '(`--deleted FILE`): only by content, and only where records have a key (`by` the key fields).',
    '',
    '| resource | action | date filter on | field is | `--state` | deletions |',
    '|---|---|---|---|---|---|',
  );
  for (const resource of resources) {
    for (const action of readActions(resource)) {
      const df = action.dateFilter;
      const key = readKeyOf(resource);
      const deletions = incrementalModeOf(action) === 'hash' && key.length ? `by ${key.map(code).join(', ')}` : 'no';
      lines.push(
        `| [${resource.name}](#${resource.name}) | ${code(action.id)} | ${df ? code(df.field) : 'no date filter'} | ${df ? DATE_KIND[df.kind] : ''} | ${incrementalCell(action)} | ${deletions} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

/** ` (whole number)`, ` (true/false)`, ` (USER, COMPANY or BOTH)`: what a `--where` filter takes. */
function filterTypeText(type: QueryParamType | undefined): string {
  if (!type) return '';
  if (type.enum) return ` (${type.enum.slice(0, -1).join(', ')} or ${type.enum[type.enum.length - 1]})`;
  return type.type === 'integer' ? ' (whole number)' : type.type === 'boolean' ? ' (true/false)' : '';
}
function actionRow(action: ActionDef): string {
  const params = (action.params ?? []).map((param) => code(param.name)).join(', ');
  const filters = (action.filters ?? []).map((name) => code(name) + filterTypeText(action.filterTypes?.[name])).join(', ');
  const dates = action.dateFilter
    ? `${code(action.dateFilter.since)}/${code(action.dateFilter.until)} on ${code(action.dateFilter.field)} (${DATE_KIND[action.dateFilter.kind]})`
    : '';
  const sent = { ...(action.query ?? {}), ...(action.stableOrder ?? {}) };
  const query = Object.entries(sent)
    .map(([k, v]) => code(`${k}=${v}`))
    .join(', ');
  const notes = [
    action.deprecated ? '**deprecated**' : '',
    action.recordsOf ? `records of ${action.recordsOf}` : '',
    action.parent ? `without --param ${action.parent.param}: every record of ${action.parent.resource}, one request each` : '',
    query ? `sends ${query}` : '',
    action.recordMap
      ? `records: ${Object.entries(action.recordMap)
          .map(([k, v]) => (k === v ? k : `${k} = ${v}`))
          .join(', ')}`
      : '',
    action.note ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  return `| ${code(action.id)} | ${cell(action.title)} | ${action.method} | ${code(action.path)} | ${cell(describeShape(action.shape))} | ${params} | ${filters} | ${dates} | ${code(action.operationId)} | ${cell(notes)} |`;
}

function gatheredRow(gathered: GatheredDef): string {
  const how = [
    gathered.join ? `once per run, joined on ${code(gathered.join.recordField)} = ${code(gathered.join.itemField)}` : 'per record',
    gathered.pick ? `takes ${code(gathered.pick)}` : '',
    gathered.query
      ? `sends ${Object.entries(gathered.query)
          .map(([k, v]) => code(`${k}=${v}`))
          .join(', ')}`
      : '',
    gathered.deprecated ? '**deprecated**' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `| ${code(gathered.name)} | GET ${code(gathered.path)} | ${cell(describeShape(gathered.shape))} | ${cell(how)} | ${cell((gathered.components ?? []).join(', '))} | ${cell(gathered.description)} |`;
}

/** What one write action sends; an action sharing an earlier action's body says so instead of repeating it. */
function renderWrite(resource: ResourceDef, action: ActionDef, earlier: readonly ActionDef[]): string[] {
  const lines = ['', `**${action.id}**: ${action.method} ${code(action.path)}`, ''];
  const path = pathFields(resource, action).map((f) => code(f.name));
  if (path.length) lines.push(`- Path from fields: ${path.join(', ')}`);
  for (const rule of action.body?.rules ?? [])
    lines.push(`- Also required: ${ruleText(rule)} (the spec says so only in prose: "${rule.quote}")`);
  if (action.body?.neverTrue?.length)
    lines.push(`- Never sent true (true would charge a card): ${action.body.neverTrue.map(code).join(', ')}`);
  if (action.body?.options?.length) lines.push(`- Options of the call, not record data: ${action.body.options.map(code).join(', ')}`);
  if (action.body?.rowItems)
    lines.push(
      `- Import: each row adds one element to ${code(action.body.rowItems)}; rows sharing a group column (default ${code('order_ref')}) are one body`,
    );
  const same = earlier.find((other) => other.body !== undefined && other.body === action.body);
  if (same) return [...lines, `- Body: the same as ${code(same.id)}.`];
  const rows = bodyRows(bodyProperties(resource, action), action.body?.required);
  if (!rows.length) return action.kind === 'delete' ? lines : [...lines, '- No body.'];
  if (lines[lines.length - 1] !== '') lines.push('');
  lines.push('| body | type | required | values |', '|---|---|---|---|');
  for (const row of rows)
    lines.push(`| ${code(row.label)} | ${row.type} | ${row.required ? 'yes' : ''} | ${cell((row.enum ?? []).join(', '))} |`);
  return lines;
}

function renderResource(resource: ResourceDef): string[] {
  const lines: string[] = [];
  lines.push(`## ${resource.name}`, '');
  lines.push(resource.description, '');
  lines.push(`- Seed name: ${resource.title}`);
  lines.push(`- Aliases: ${resource.aliases.map(code).join(', ') || 'none'}`);
  lines.push(`- Key fields: ${resource.keyFields.map(code).join(', ') || 'none'}`);
  for (const action of readActions(resource)) {
    lines.push(`- Incremental export (${code(action.id)}): ${incrementalDescription(action)}`);
  }
  if (resource.naturalKeys?.length) {
    const keys = resource.naturalKeys.map(
      (key) => `${code(key.name)} (${key.filter ? `filtered by ${code(key.filter)}` : 'list read once'})`,
    );
    lines.push(`- Natural keys (\`import --lookup FIELD=${resource.name}.KEY\`): ${keys.join(', ')}`);
  }
  if (resource.arrayWrites?.length) {
    const arrays = resource.arrayWrites.map((write) => `${code(write.name)} by ${code(write.key)} (Keap ${write.keap}: ${write.source})`);
    lines.push(`- Lists merged with the record before an update (import): ${arrays.join('; ')}`);
  }
  if (resource.duplicateOptions) lines.push(`- Upsert duplicate options: ${resource.duplicateOptions.map(code).join(', ')}`);
  if (resource.customFields) {
    const how = resource.customFields.via === 'list' ? 'with the list (`optional_properties=custom_fields`)' : 'one request per record';
    lines.push(`- Custom fields: described by ${code(resource.customFields.modelPath)}, values ${how}, columns \`custom.<label>\``);
  }
  lines.push('', '### Actions', '');
  lines.push('| id | seed name | method | path | response | params | filters | date filter | operationId | notes |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const action of resource.actions) lines.push(actionRow(action));
  lines.push('', '### Fields', '');
  lines.push('| field | type | key | read-only | write-only | details |');
  lines.push('|---|---|---|---|---|---|');
  for (const field of resource.fields) {
    lines.push(
      `| ${code(field.name)} | ${describeType(field)} | ${field.key ? 'yes' : ''} | ${field.readOnly ? 'yes' : ''} | ${field.writeOnly ? 'yes' : ''} | ${cell(describeFieldDetail(field))} |`,
    );
  }
  const writes = writeActions(resource);
  if (writes.length) {
    lines.push(
      '',
      '### Writes',
      '',
      "What each write action sends: the record fields that fill its path, and its body as the spec's request schema has it.",
    );
    writes.forEach((action, index) => {
      lines.push(...renderWrite(resource, action, writes.slice(0, index)));
    });
  }
  if (resource.gathered?.length) {
    lines.push('', '### Gathered fields (`--include NAME`)', '');
    lines.push('| name | endpoint | response | how | components | description |');
    lines.push('|---|---|---|---|---|---|');
    for (const gathered of resource.gathered) lines.push(gatheredRow(gathered));
  }
  if (resource.deviations?.length) {
    lines.push('', '### Where we follow the spec, not the seed', '');
    for (const deviation of resource.deviations) lines.push(`- **${deviation.what}.** ${deviation.why}`);
  }
  lines.push('');
  return lines;
}

/** The whole of docs/resources.md. */
export function renderResourcesMarkdown(resources: readonly ResourceDef[]): string {
  const lines: string[] = [];
  lines.push('# Resources', '');
  lines.push(
    '<!-- Generated from src/catalog by `npm run docs`; do not edit by hand. -->',
    '',
    'Every resource `infusionsoft` can export and import, with its actions, fields and where the data comes from.',
    'Paths are relative to the REST v1 base `https://api.infusionsoft.com/crm/rest/v1`. `{name}` in a read path is',
    'given with `--param name=VALUE`; in a write path it is filled from the record field of the same name.',
    "Where Keap's spec (`v1-openapi.json`) and the connector description this catalog started from disagree,",
    'the spec wins; each case is listed under its resource and again at the end.',
    '',
  );
  lines.push('## Summary', '');
  lines.push('| resource | seed name | actions | incremental | custom fields | gathered |');
  lines.push('|---|---|---|---|---|---|');
  for (const resource of resources) {
    const defaultRead = defaultReadAction(resource);
    lines.push(
      `| [${resource.name}](#${resource.name}) | ${cell(resource.title)} | ${resource.actions.map((action) => action.id).join(', ')} | ${defaultRead ? incrementalCell(defaultRead) : ''} | ${resource.customFields ? resource.customFields.via : ''} | ${(resource.gathered ?? []).map((g) => g.name).join(', ')} |`,
    );
  }
  lines.push('');
  lines.push(...renderIncrementalTable(resources));
  for (const resource of resources) lines.push(...renderResource(resource));
  lines.push('## Where we follow the spec, not the seed', '');
  lines.push('| resource | what | why |', '|---|---|---|');
  for (const resource of resources) {
    for (const deviation of resource.deviations ?? []) {
      lines.push(`| ${resource.name} | ${cell(deviation.what)} | ${cell(deviation.why)} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** docs/resources.md of this checkout. */
export function resourcesMarkdownPath(): string {
  return join(repoRoot(), 'docs', 'resources.md');
}

const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runAsScript) {
  const { catalog } = await import('../src/catalog/index.js');
  const target = resourcesMarkdownPath();
  writeFileSync(target, renderResourcesMarkdown(catalog));
  process.stderr.write(`wrote ${target}\n`);
}
