/** `api METHOD PATH`: a raw REST v1 call with the configured credentials, like `gh api`. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { callApi, METHODS } from '../direct/api-call.js';
import type { IO } from '../io.js';
import { withSession } from './context.js';
import { choiceArgument } from './flags.js';

export function defineApiCommand(command: Command, io: IO): void {
  command
    .description('make a raw REST v1 request and print the JSON response')
    .addArgument(choiceArgument('<method>', 'the HTTP method, in any case', METHODS))
    .argument('<path>', 'path under the v1 base, e.g. /contacts or /contacts/12?optional_properties=custom_fields')
    .option('--data <json>', 'request body: JSON text, or @FILE to read it from a file')
    .option('--paginate', 'GET every page of a list and print all records as one document')
    .option('--json', "errors as one JSON object on stdout too; the response is Keap's JSON either way ({} when it has no body)")
    .action(async (method: string, path: string, options: { data?: string; paginate?: boolean; json?: boolean }, command: Command) => {
      const body = options.data === undefined ? undefined : await parseData(options.data);
      await withSession(command, io, async ({ api }) => {
        const call = { method, path, body, paginate: options.paginate ?? false, ...(options.json ? { emptyAs: '{}' } : {}) };
        await callApi(api, call, io.stdout);
      });
    });
}

async function parseData(value: string): Promise<unknown> {
  let text = value;
  let source = '--data';
  if (value.startsWith('@')) {
    const file = value.slice(1);
    source = `--data @${file}`;
    // node:fs/promises (with the streams and readline it loads) only when a body is read from a file.
    const { readFile } = await import('node:fs/promises');
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${source}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, {
      hint: `for example --data '{"given_name":"Jane"}'`,
    });
  }
}
