/**
 * Choices and numbers are declared on the options (src/commands/flags.ts), so commander refuses a
 * bad value before the action runs: exit 2, a message naming the flag, the value and what is
 * allowed, and no request sent. The help lists the choices. In-process against the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('a value commander refuses, with exit 2 and nothing sent', () => {
  it.each([
    [
      'export --format',
      ['export', 'contacts', '--format', 'xml'],
      /'-f, --format <format>' argument 'xml' is invalid\. Allowed choices are csv, json, ndjson\./,
    ],
    ['export --max', ['export', 'contacts', '--max', '0'], /'--max <n>' argument '0' is invalid\. Expected a whole number, 1 or more\./],
    [
      'export --page-size over Keap’s page',
      ['export', 'contacts', '--page-size', '1001'],
      /'--page-size <n>' argument '1001' is invalid\. Expected a whole number, from 1 to 1000 \(Keap returns at most 1000 records a page\)\./,
    ],
    ['export --concurrency', ['export', 'contacts', '--concurrency', 'ten'], /'--concurrency <n>' argument 'ten' is invalid\./],
    [
      'export --all --max',
      ['export', '--all', '-o', 'out/', '--max', '1.5'],
      /'--max <n>' argument '1.5' is invalid\. Expected a whole number/,
    ],
    ['import --max-errors', ['import', 'contacts', 'rows.csv', '--max-errors', '-1'], /'--max-errors <n>' argument '-1' is invalid\./],
    ['import --concurrency', ['import', 'contacts', 'rows.csv', '--concurrency', '0'], /'--concurrency <n>' argument '0' is invalid\./],
    [
      'sandbox --port',
      ['sandbox', '--port', '70000'],
      /'--port <n>' argument '70000' is invalid\. Expected a whole number, from 0 to 65535\./,
    ],
    [
      'sandbox --latency',
      ['sandbox', '--latency', 'slow'],
      /'--latency <ms>' argument 'slow' is invalid\. Expected a whole number, 0 or more\./,
    ],
    ['api METHOD', ['api', 'FETCH', '/contacts'], /argument 'method'\. Allowed choices are GET, POST, PUT, PATCH, DELETE\./],
  ])('%s', async (_what, args, message) => {
    const before = await totalRequests(sandbox);
    const result = await runCli(args, { env: sandbox.env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await totalRequests(sandbox)).toBe(before);
  });
});

describe('a choice in another case is the listed one', () => {
  it('export --format CSV writes CSV', async () => {
    const result = await runCli(['export', 'tags', '--format', 'CSV', '--max', '2'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^id,/);
  });
  it('api get is a GET', async () => {
    const result = await runCli(['api', 'get', '/tags?limit=1'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('tags');
  });
});

describe('the help lists the choices', () => {
  it.each([
    [['export', '--help'], /\(choices: "csv", "json", "ndjson"\)/],
    [['import', '--help'], /\(choices: "create", "update", "upsert", "delete"\)/],
    [['import', '--help'], /\(choices: "first", "last", "error"\)/],
  ])('%j', async (args, listed) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout.replace(/\s+/g, ' ')).toMatch(listed);
  });
});
