/**
 * Every command's examples, as data: `--help` renders them (addExampleHelp), and
 * test/e2e/help-examples.test.ts runs each one as typed, through a shell, against the sandbox.
 * An example the test cannot run says why (`exempt`).
 */
import type { Command } from 'commander';

/** Why an example is not run by the test: it needs a person, a real Keap account, or PostgreSQL. */
export interface ExampleExemption {
  kind: 'interactive' | 'keap-only' | 'postgresql-only';
  reason: string;
}

export interface CommandExample {
  /** What is typed, one shell line each (several lines run in one shell, in order). */
  lines: string[];
  /** Shown after the last line as `# note`. */
  note?: string;
  exempt?: ExampleExemption;
}

/** The sandbox's contacts have a fixed set of custom fields, and it cannot add one. */
export const LEGACY_ID: ExampleExemption = {
  kind: 'keap-only',
  reason: 'needs a contact custom field named "Legacy ID"; the sandbox defines a fixed set without it',
};

const browser: ExampleExemption = { kind: 'interactive', reason: 'a person allows the login in a browser' };

/** Keyed by the command's path below `infusionsoft` ('' is the program itself, 'auth login' a subcommand). */
export const COMMAND_EXAMPLES: Record<string, CommandExample[]> = {
  '': [
    { lines: ['infusionsoft auth login'], exempt: browser },
    { lines: ['infusionsoft --sandbox export contacts --format csv -o contacts.csv'] },
    { lines: ['infusionsoft resources'] },
    { lines: ['infusionsoft describe contacts'] },
    { lines: ['infusionsoft api GET /contacts --paginate'] },
  ],
  'auth login': [
    {
      lines: ['infusionsoft auth login --client-id ID --port 8765'],
      note: 'registered as http://127.0.0.1:8765/callback',
      exempt: browser,
    },
    {
      lines: ['infusionsoft auth login --client-id ID --no-browser'],
      note: 'over SSH: open the address elsewhere, paste back',
      exempt: browser,
    },
    { lines: ['infusionsoft auth login --client-id ID --redirect-uri https://example.com/keap/callback'], exempt: browser },
    { lines: ['infusionsoft auth login --with-token --insecure-storage < key.txt'], note: 'a server, with a PAT or SAK' },
    { lines: ['infusionsoft --profile client-b auth login --client-id ID'], exempt: browser },
  ],
  'auth status': [
    { lines: ['infusionsoft auth status'] },
    { lines: ['infusionsoft auth status --check'], note: 'one request; exit 4 when Keap refuses the credential' },
  ],
  'auth list': [{ lines: ['infusionsoft auth list'] }, { lines: ['infusionsoft auth list --json'] }],
  'auth switch': [{ lines: ['infusionsoft auth switch sandbox'], note: 'commands without --profile now use it' }],
  'auth token': [{ lines: ['infusionsoft auth token'], note: 'a valid access token (refreshed first if needed), for scripts' }],
  'auth refresh': [{ lines: ['infusionsoft auth refresh'], note: 'monthly from cron keeps an idle login alive' }],
  'auth logout': [{ lines: ['infusionsoft auth logout'] }, { lines: ['infusionsoft auth logout --all'] }],
  resources: [
    { lines: ['infusionsoft resources'] },
    { lines: [`infusionsoft resources --json | jq '.resources[] | select(.name == "contacts")'`] },
  ],
  describe: [{ lines: ['infusionsoft describe contacts'] }, { lines: ['infusionsoft --sandbox describe companies --json'] }],
  export: [
    { lines: ['infusionsoft export contacts --format csv -o contacts.csv'] },
    { lines: ['infusionsoft export contacts -o contacts.csv.gz'], note: 'gzip-compressed CSV' },
    { lines: ['infusionsoft export contacts --include tags,emails -o contacts.ndjson'] },
    { lines: ['infusionsoft export contacts --since 2026-01-01 --state state.json -o changed.csv'], note: 'from cron' },
    { lines: ['infusionsoft export order-items --param order_id=12 --format csv'] },
    { lines: ['infusionsoft export order-items -o items.csv'], note: 'the items of every order' },
    { lines: ['infusionsoft export --all -o keap-backup/'], note: 'every resource, and manifest.json' },
    { lines: ['infusionsoft export transactions --action read-by-order --param order_id=12'] },
    { lines: ['infusionsoft export tasks --action read-search --where completed=false'] },
    {
      lines: [
        "infusionsoft export contacts --where email=pat.contact.1@example.com --fields 'id,given_name,email_addresses.EMAIL1.email,custom.Favorite Color'",
      ],
    },
    { lines: ['infusionsoft --sandbox export opportunities --include custom_fields --format json'] },
    {
      lines: ['infusionsoft export contacts --include tags -o contacts.ndjson --resume'],
      note: 'continue where the quota stopped it',
    },
    { lines: ['infusionsoft export contacts --include tags --plan'], note: 'requests, time and quota share of each plan' },
  ],
  import: [
    { lines: ['infusionsoft import contacts contacts.csv --dry-run'] },
    { lines: ['infusionsoft import contacts new-leads.csv --opt-in-reason "Signed up at the fair"'] },
    { lines: ['infusionsoft import orders orders.csv --lookup contact_id=contacts.email --lookup product_id=products.sku'] },
    { lines: ['infusionsoft import orders shop.csv --mapping shop-mapping.json --set order_type=Online'] },
    { lines: ['infusionsoft import contacts contacts.errors.csv'], note: 'after fixing the failed rows' },
    { lines: ['infusionsoft import contacts new-leads.results.csv --action delete --only-created'], note: 'undo the creates' },
    { lines: ['infusionsoft import contacts big.csv --resume'], note: 'after Ctrl-C or a crash' },
    { lines: ['infusionsoft import contacts contacts.csv --if-unchanged'], note: 'a round trip: not over edits made in Keap since' },
    {
      lines: ['infusionsoft import contacts legacy.csv --match "custom.Legacy ID"'],
      note: 'find records by your own key',
      exempt: LEGACY_ID,
    },
  ],
  api: [
    { lines: ['infusionsoft --sandbox api GET /contacts --paginate'] },
    { lines: ["infusionsoft api GET '/contacts?email=pat.contact.1@example.com'"] },
    { lines: [`infusionsoft api PATCH /contacts/12 --data '{"given_name":"Jane"}'`] },
    { lines: ['infusionsoft api POST /tags --data @tag.json'] },
  ],
  sandbox: [
    { lines: ['infusionsoft sandbox --port 8080'] },
    {
      lines: [
        'infusionsoft sandbox --port 8080 > sandbox.env &     # serve in the background ...',
        'set -a; . ./sandbox.env; set +a                      # ... and export its URL and token',
        'infusionsoft export contacts --format csv',
      ],
    },
    { lines: ['infusionsoft sandbox --contacts 1000000 --throttle 20 --faults 503:0.05'] },
    { lines: ['infusionsoft sandbox --limits pat'], note: '5/s, 240/min, 30,000/day, as a key' },
    { lines: ['infusionsoft sandbox --client-id my-app --client-secret s3cret --token-lifetime 600'] },
    { lines: ['infusionsoft sandbox --redirect-uris http://127.0.0.1:8765/callback'], note: 'then: auth login --port 8765' },
  ],
  completion: [
    { lines: ['source <(infusionsoft completion bash)'], note: 'in ~/.bashrc' },
    { lines: ['infusionsoft completion zsh > _infusionsoft'], note: 'into a folder on $fpath' },
    { lines: ['infusionsoft completion fish > infusionsoft.fish'], note: 'into ~/.config/fish/completions/' },
  ],
};

/** The command's path below the program: '' for the program, 'auth login' for a subcommand. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `  $ infusionsoft export ...   # note`, one line per typed line. */
export function renderExamples(examples: CommandExample[]): string {
  const rows = examples.flatMap((example) =>
    example.lines.map((line, i) => ({ line, note: i === example.lines.length - 1 ? example.note : undefined })),
  );
  const width = Math.max(...rows.filter((r) => r.note).map((r) => r.line.length), 0);
  return rows.map(({ line, note }) => `  $ ${note ? `${line.padEnd(Math.min(width, 60))}   # ${note}` : line}`).join('\n');
}

/** Adds the command's examples to the end of its --help, after what the command itself says there. */
export function addOwnExampleHelp(command: Command): void {
  const examples = COMMAND_EXAMPLES[commandPath(command)];
  if (examples?.length) command.addHelpText('after', `\nExamples:\n${renderExamples(examples)}`);
}

/** The same for a command and each of its subcommands. */
export function addExampleHelp(command: Command): void {
  addOwnExampleHelp(command);
  for (const sub of command.commands) addExampleHelp(sub);
}
