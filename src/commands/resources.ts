/** `resources` and `describe`: the catalog, for people and for scripts. */
import type { Command } from 'commander';
import { bodyRows, catalog, findResource, isReadAction, ruleText } from '../catalog/index.js';
import type { ResourceDescription, WriteDescription } from '../direct/describe.js';
import { CliError, UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { globalOptions, reporterFor, resolveCredentialSource, withSession } from './context.js';
import { printJson, renderTable } from './output.js';

// What describes a resource (and reads its custom fields) loads when one of these commands runs.
const describing = () => import('../direct/describe.js');

export function defineResourcesCommand(command: Command, io: IO): void {
  command
    .description('list every resource with its actions (HTTP method and path)')
    .option('--json', 'print one JSON object: {"resources": [...]} (docs/json.md)')
    .action(async (options: { json?: boolean }) => {
      const { summarizeResource } = await describing();
      const summaries = catalog.map(summarizeResource);
      // An object, not the bare list: a script tells it from an error document by its key (docs/json.md).
      if (options.json) return printJson({ resources: summaries }, io.stdout);
      const rows: string[][] = [];
      for (const resource of summaries) {
        for (const action of resource.actions) {
          const params = action.params.length ? ` (--param ${action.params.map((p) => `${p}=`).join(' ')})` : '';
          rows.push([resource.name, action.id + (action.deprecated ? ' [deprecated]' : ''), action.method, action.path + params]);
        }
      }
      io.stdout.write(renderTable(rows, ['RESOURCE', 'ACTION', 'METHOD', 'PATH']));
    });
}

export function defineDescribeCommand(command: Command, io: IO): void {
  command
    .description("show a resource's fields, keys, read-only flags, write bodies, gathered and custom fields")
    .argument('<resource>', 'resource name or alias (see `infusionsoft resources`)')
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      `
Custom fields are read live from the account when credentials are present (or with --sandbox).`,
    )
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const resource = findResource(name);
      const { describeResource } = await describing();
      const globals = globalOptions(command);
      const live = Boolean(globals.sandbox) || (await resolveCredentialSource(io.env, globals.profile)) !== undefined;
      let description = await describeResource(resource);
      if (live && resource.customFields) {
        try {
          description = await withSession(command, io, ({ api }) => describeResource(resource, api));
        } catch (error) {
          // The catalog is still worth showing when the account cannot be asked.
          if (error instanceof UsageError || !(error instanceof CliError)) throw error;
          reporterFor(globals, io).warn(`custom fields not read from the account: ${error.message}`);
        }
      }
      if (options.json) return printJson(description, io.stdout);
      io.stdout.write(renderDescription(description));
    });
}

function renderDescription(d: ResourceDescription): string {
  let out = `${d.name} — ${d.title}\n${d.description}\n`;
  if (d.aliases.length) out += `aliases: ${d.aliases.join(', ')}\n`;
  out += `key: ${d.keyFields.join(', ') || '(none)'}\n`;
  out += '\nActions\n';
  out += renderTable(
    d.actions.map((a) => [a.id + (a.deprecated ? ' [deprecated]' : ''), a.method, a.path, a.params.join(', ')]),
    ['ACTION', 'METHOD', 'PATH', 'PARAMS'],
  );
  out += '\nIncremental export (--state)\n';
  out += renderTable(d.actions.flatMap((a) => (a.incrementalNote ? [[a.id, a.incrementalNote]] : [])));
  const read = d.actions.find(isReadAction);
  if (read) out += `(export with a read action: infusionsoft export ${d.name} --action ID [--param NAME=VALUE ...])\n`;
  out += '\nFields\n';
  out += renderTable(
    d.fields.map((f) => [
      f.name,
      f.type,
      [f.key ? 'key' : '', f.readOnly ? 'read-only' : ''].filter(Boolean).join(', '),
      f.components?.join(', ') ?? '',
    ]),
    ['FIELD', 'TYPE', 'FLAGS', 'COMPONENTS'],
  );
  if (d.gathered.length) {
    out += '\nGathered fields (--include NAME)\n';
    out += renderTable(
      d.gathered.map((g) => [g.name, g.path, g.description]),
      ['NAME', 'FROM', 'WHAT'],
    );
  }
  if (d.writes.length) out += `\nWrites (what each write action sends)\n${d.writes.map((w) => renderWrite(d, w)).join('')}`;
  if (d.customFields) {
    out += `\nCustom fields (from ${d.customFields.source})\n`;
    if (d.customFields.live) {
      out += d.customFields.live.length
        ? renderTable(
            d.customFields.live.map((f) => [f.column, f.fieldType ?? '', String(f.id)]),
            ['COLUMN', 'TYPE', 'ID'],
          )
        : '(none defined in this account)\n';
    } else {
      out += "(log in or set INFUSIONSOFT_API_KEY to list this account's custom fields; columns are custom.<label>)\n";
    }
  }
  if (d.deviations.length) {
    out += '\nWhere this follows the spec, not the seed\n';
    for (const dev of d.deviations) out += `- ${dev.what}: ${dev.why}\n`;
  }
  return out;
}

function renderWrite(d: ResourceDescription, w: WriteDescription): string {
  const action = d.actions.find((a) => a.id === w.action);
  let out = `\n${w.action}: ${action?.method ?? ''} ${action?.path ?? ''}\n`;
  if (w.pathFields.length) out += `  path from fields: ${w.pathFields.join(', ')}\n`;
  for (const rule of w.rules) out += `  also required: ${ruleText(rule)} (said in the spec's prose: "${rule.quote}")\n`;
  if (w.neverTrue.length) out += `  never sent true (would charge a card): ${w.neverTrue.join(', ')}\n`;
  if (w.options.length) out += `  options of the call, not record data: ${w.options.join(', ')}\n`;
  if (!w.properties.length) return out + (w.kind === 'delete' ? '' : '  no body\n');
  const rows = bodyRows(w.properties, w.required).map((row) => [
    `  ${row.label}`,
    row.type,
    row.required ? 'required' : '',
    row.enum?.join(', ') ?? '',
  ]);
  return out + renderTable(rows, ['  BODY', 'TYPE', 'REQUIRED', 'VALUES']);
}
