/**
 * Log lines for cron (issue 19, item 3): off a terminal each line on stderr (warnings, --verbose
 * steps, summaries, errors and their hints) starts with a UTC ISO-8601 timestamp; `--log-format
 * json` makes each one a JSON object (level, time, message, fields); stdout is never touched; on
 * a terminal lines are as before. NO_COLOR and FORCE_COLOR decide colour. In-process against the
 * sandbox, with an injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { createReporter } from '../src/reporter.js';
import { CapturedStream, runCli, startTestSandbox, testIO, type TestSandbox } from './support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const NOW = Date.parse('2026-03-01T02:15:00.000Z');
const STAMP = '2026-03-01T02:15:00.000Z ';
const now = () => NOW;
const EXPORT = ['export', 'tags', '--max', '2', '--format', 'ndjson'];

/** A stderr that is a terminal, as a person's shell gives it. */
class TerminalStream extends CapturedStream {
  override readonly isTTY = true;
  readonly columns = 100;
  hasColors() {
    return true;
  }
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('off a terminal', () => {
  it('starts every stderr line of a run with the UTC time (--verbose steps, the summary), and leaves stdout alone', async () => {
    const plain = await runCli(EXPORT, { env: sandbox.env, now });
    const result = await runCli(['--verbose', ...EXPORT], { env: sandbox.env, now });
    expect(result.code, result.stderr).toBe(0);
    const lines = nonEmptyLines(result.rawStderr);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.startsWith(STAMP), line).toBe(true);
    expect(lines.some((line) => /^\S+ GET \/tags\?.* -> 200 \(\d+ ms\)$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\S+ exported 2 tags to stdout \(ndjson\)/);
    expect(result.stdout).toBe(plain.stdout);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toHaveLength(2);
  });

  it('stamps an error and its hint too', async () => {
    const result = await runCli(['export', 'contacts'], { env: { INFUSIONSOFT_API_URL: sandbox.apiUrl }, now });
    expect(result.code).toBe(4);
    const lines = nonEmptyLines(result.rawStderr);
    expect(lines[0]).toMatch(/^2026-03-01T02:15:00\.000Z error: /);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.startsWith(STAMP), line).toBe(true);
  });
});

describe('--log-format json', () => {
  it('writes one object per line with level, time, message and fields; stdout stays data', async () => {
    const plain = await runCli(EXPORT, { env: sandbox.env, now });
    const result = await runCli(['--log-format', 'json', '--verbose', ...EXPORT], { env: sandbox.env, now });
    expect(result.code, result.stderr).toBe(0);
    const objects = nonEmptyLines(result.rawStderr).map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const object of objects) {
      expect(Object.keys(object).sort()).toEqual(['fields', 'level', 'message', 'time']);
      expect(object.time).toBe('2026-03-01T02:15:00.000Z');
    }
    expect(objects.filter((object) => object.level === 'debug').length).toBeGreaterThan(0);
    expect(objects.at(-1)).toMatchObject({
      level: 'info',
      message: expect.stringMatching(/^exported 2 tags to stdout/),
      fields: { resource: 'tags', records: 2, format: 'ndjson' },
    });
    expect(result.stdout).toBe(plain.stdout);
  });

  it('writes an error as one object with its exit code and hint, whether given as --log-format=json or after the command', async () => {
    for (const args of [
      ['--log-format=json', 'export', 'contacts'],
      ['export', 'contacts', '--log-format', 'json'],
    ]) {
      const result = await runCli(args, { env: { INFUSIONSOFT_API_URL: sandbox.apiUrl }, now });
      expect(result.code).toBe(4);
      const objects = nonEmptyLines(result.rawStderr).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(objects).toHaveLength(1);
      expect(objects[0]).toMatchObject({ level: 'error', time: '2026-03-01T02:15:00.000Z', fields: { exitCode: 4 } });
      expect((objects[0]?.fields as { hint?: string } | undefined)?.hint).toMatch(/auth login/);
    }
  });

  it('refuses a format it does not know (exit 2)', async () => {
    const result = await runCli(['--log-format', 'xml', ...EXPORT], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--log-format.*xml.*(text|json)/s);
  });
});

describe('on a terminal', () => {
  it('writes lines without a timestamp', async () => {
    const io = { ...testIO({ env: sandbox.env, now }), stderr: new TerminalStream() };
    expect(await main(['node', 'infusionsoft', '--no-progress', ...EXPORT], io)).toBe(0);
    expect(io.stderr.text).toMatch(/^exported 2 tags to stdout/);
    expect(io.stderr.text).not.toContain('2026-03-01T');
  });
});

describe('NO_COLOR and FORCE_COLOR', () => {
  const YELLOW = '\u001b[33m';
  const warnOn = (stream: CapturedStream, env: NodeJS.ProcessEnv) => {
    createReporter({ stream, env, now }).warn('careful');
    return stream.text;
  };

  it('colours a warning on a terminal unless NO_COLOR or FORCE_COLOR=0 says not to', () => {
    expect(warnOn(new TerminalStream(), {})).toContain(YELLOW);
    expect(warnOn(new TerminalStream(), { NO_COLOR: '1' })).not.toContain(YELLOW);
    expect(warnOn(new TerminalStream(), { FORCE_COLOR: '0' })).not.toContain(YELLOW);
  });

  it('colours off a terminal only with FORCE_COLOR, after the timestamp', () => {
    expect(warnOn(new CapturedStream(), {})).toBe(`${STAMP}warning: careful\n`);
    expect(warnOn(new CapturedStream(), { FORCE_COLOR: '1' })).toBe(`${STAMP}${YELLOW}warning: careful\u001b[39m\n`);
    expect(warnOn(new CapturedStream(), { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(`${STAMP}warning: careful\n`);
  });
});
