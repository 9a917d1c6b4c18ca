/**
 * Runs documented examples as typed: each through `bash -c` in a folder of its own, with an
 * `infusionsoft` on PATH that is the built binary, against a sandbox server (its URL and token in
 * the environment, as `set -a; . ./sandbox.env` gives them) or the in-process `--sandbox` where
 * the example says so. Used by help-examples and doc-examples tests.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ExampleExemption } from '../../src/commands/examples.js';
import { binary, cleanEnv, recordOutput, tempDir } from './cli.js';

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let shimDir: string | undefined;
/** A folder holding `infusionsoft`, the built binary run by this node: first on the examples' PATH. */
export function binFolder(): string {
  if (shimDir) return shimDir;
  shimDir = tempDir('infusionsoft-bin-');
  const shim = join(shimDir, 'infusionsoft');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`);
  chmodSync(shim, 0o755);
  return shimDir;
}

/** The environment of an example: clean, `infusionsoft` on PATH, HOME a folder of its own. */
export function exampleEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const home = tempDir('infusionsoft-home-');
  return cleanEnv({ HOME: home, PATH: `${binFolder()}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...extra });
}

/** A `sandbox` command in the foreground: it serves until stopped, so the runner stops it. */
export function servesUntilStopped(script: string): boolean {
  return /^infusionsoft sandbox\b/.test(script.trim()) && !script.includes('\n') && !/&\s*(#.*)?$/.test(script);
}

/**
 * A person types the next line after a background server is up; a script needs to wait for that.
 * After each `infusionsoft sandbox --port N ... &` line, this waits until the port answers, and the
 * background jobs end with the script.
 */
export function withBackgroundWaits(script: string): string {
  const lines = script.split('\n').flatMap((line) => {
    const port = /^infusionsoft sandbox\b.*--port (\d+).*&\s*(#.*)?$/.exec(line.trim())?.[1];
    if (!port) return [line];
    return [line, `until (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; do sleep 0.05; done`];
  });
  if (lines.length === script.split('\n').length) return script;
  return ["trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT", ...lines].join('\n');
}

export interface ShellOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
}

/** Runs `script` in bash (pipefail, so `infusionsoft ... | jq` fails when infusionsoft does). */
export function runShell(script: string, options: ShellOptions): Promise<ShellResult> {
  mkdirSync(options.cwd, { recursive: true });
  const serves = servesUntilStopped(script);
  return new Promise((resolve, reject) => {
    // Examples that serve on a fixed port (8080) take turns, across test files too.
    const port = /infusionsoft sandbox\b.*--port (\d+)/.exec(script)?.[1];
    const shell = ['bash', '-c', `set -o pipefail\n${withBackgroundWaits(script)}`];
    const argv = port ? ['flock', join(tmpdir(), `infusionsoft-examples-port-${port}.lock`), ...shell] : shell;
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    const stopGroup = () => {
      stopped = true;
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(stopGroup, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      // A server example has done what it shows once it printed its URL and token.
      if (serves && !stopped && /INFUSIONSOFT_ACCESS_TOKEN=\S+\n/.test(stdout)) stopGroup();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Only `auth token` and a sandbox printing its token show a secret on stdout on purpose.
      recordOutput(['(shell)', script], stdout, stderr, /\bauth token\b|\binfusionsoft sandbox\b/.test(script));
      // The server example was stopped by us after it came up: that is its success.
      const served = serves && /INFUSIONSOFT_API_URL=\S+\nINFUSIONSOFT_ACCESS_TOKEN=\S+\n/.test(stdout);
      resolve({ code: served ? 0 : stopped ? null : code, stdout, stderr });
    });
  });
}

/** What a failed example printed, for the assertion message. */
export function describeRun(label: string, script: string, result: ShellResult): string {
  const tail = (text: string) => text.trim().split('\n').slice(-8).join('\n');
  return `${label}: exit ${result.code}\n$ ${script}\n--- stderr\n${tail(result.stderr)}\n--- stdout\n${tail(result.stdout)}`;
}

/**
 * Files examples read, made in the group's folder before it runs when an example names them: by
 * an export example, or written here. A file an earlier example of the group writes
 * (new-leads.results.csv, contacts.ndjson) is not listed: that example makes it.
 */
export const FIXTURES: Record<string, string> = {
  'contacts.csv': 'infusionsoft export contacts --format csv -o contacts.csv',
  'new-leads.csv': `printf 'given_name,family_name,email_addresses.EMAIL1.email\\nAda,Lovelace,ada.lovelace.help@example.com\\nGrace,Hopper,grace.hopper.help@example.com\\n' > new-leads.csv`,
  'big.csv': `printf 'given_name,family_name,email_addresses.EMAIL1.email\\nBig,One,big.one.help@example.com\\nBig,Two,big.two.help@example.com\\n' > big.csv`,
  // The sandbox's seed-1 contacts and product SKUs (`export contacts`, `export products`).
  'orders.csv': `printf 'order_ref,contact_id,order_title,order_type,order_date,product_id,quantity,price\\nA-1,pat.contact.1@example.com,Fair order,Offline,2026-11-01T10:00:00.000Z,SKU-00001,2,9.50\\nA-1,,,,,SKU-00003,1,\\nB-7,renee.smith.3@example.com,Phone order,Online,2026-11-02T10:00:00.000Z,SKU-00001,5,\\n' > orders.csv`,
  'shop.csv': `printf 'Invoice,E-mail,Title,Date,SKU,Qty\\nS-1,pat.contact.1@example.com,Shop order,11/03/2026,SKU-00002,1\\nS-1,,,,SKU-00004,3\\n' > shop.csv`,
  'shop-mapping.json': `printf '{"map":{"E-mail":"contact_id","Title":"order_title","Date":"order_date","SKU":"product_id","Qty":"quantity"},"lookup":{"contact_id":"contacts.email","product_id":"products.sku"},"set":{"order_type":"Online"},"groupBy":"Invoice","dateFormat":"MM/DD/YYYY"}' > shop-mapping.json`,
  // An import with a bad address leaves its error report; the address is then fixed in it.
  'contacts.errors.csv': [
    'mkdir -p first-run',
    `printf 'given_name,family_name,email_addresses.EMAIL1.email\\nLin,Fix,lin.fix.help.example.com\\n' > first-run/contacts.csv`,
    'infusionsoft import contacts first-run/contacts.csv; test $? -eq 3',
    `sed 's/lin.fix.help.example.com/lin.fix.help@example.com/' first-run/contacts.errors.csv > contacts.errors.csv`,
  ].join('\n'),
  'tag.json': `printf '{"name":"Fair 2026"}' > tag.json`,
  // A file the troubleshooting page checks with a dry run (its rows are fine: the run exits 0).
  'people.csv': `printf 'given_name,email_addresses.EMAIL1.email,addresses.BILLING.region,addresses.BILLING.country_code\\nRia,ria.region.help@example.com,US-MA,USA\\n' > people.csv`,
};

export interface RunnableExample {
  label: string;
  script: string;
  exempt?: ExampleExemption;
}

/**
 * Makes the fixtures `script` names that this folder has not had yet, just before the first
 * example naming them runs (an earlier example may write a file of the same name: an import's
 * error report), and fails on one that could not be made.
 */
export async function prepareFixtures(
  fixtures: Record<string, string>,
  script: string,
  cwd: string,
  env: Record<string, string>,
  made: Set<string>,
): Promise<void> {
  for (const [file, make] of Object.entries(fixtures)) {
    const named = new RegExp(`(^|[\\s<@])${file.replace(/[.]/g, '\\.')}(\\s|$)`, 'm');
    if (made.has(file) || !named.test(script)) continue;
    made.add(file);
    const result = await runShell(make, { cwd, env });
    expect(result.code, describeRun(`fixture ${file}`, make, result)).toBe(0);
  }
}

/** Runs groups of examples, each in order in its folder, and keeps what failed and how long each took. */
export class ExampleRun {
  readonly failures: string[] = [];
  ran = 0;
  private readonly timings: Array<[number, string]> = [];
  constructor(private readonly fixtures: Record<string, string> = FIXTURES) {}

  /** `made`: the fixtures this folder already has (a doc runs its lines one group at a time). */
  async group(examples: RunnableExample[], env: Record<string, string>, cwd: string, made = new Set<string>()): Promise<void> {
    for (const example of examples) {
      if (example.exempt) continue;
      await prepareFixtures(this.fixtures, example.script, cwd, env, made);
      const started = Date.now();
      const result = await runShell(example.script, { cwd, env });
      this.timings.push([Date.now() - started, example.script]);
      this.ran++;
      if (result.code !== 0) this.failures.push(describeRun(example.label, example.script, result));
    }
  }

  /** The slowest examples, for the test's output: where the time of this file goes. */
  slowest(n = 8): string {
    const sorted = [...this.timings].sort((a, b) => b[0] - a[0]).slice(0, n);
    return `${this.ran} examples; slowest:\n${sorted.map(([ms, script]) => `${ms} ms  ${script}`).join('\n')}`;
  }
}
