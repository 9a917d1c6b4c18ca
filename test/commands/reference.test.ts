/** docs/commands.md is the commands' own --help; it must be regenerated when a command changes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandReferencePath, renderCommandReference } from '../../scripts/command-reference.js';
import { buildProgram } from '../../src/cli.js';

describe('docs/commands.md', () => {
  it('covers every command with its examples', async () => {
    const text = renderCommandReference(await buildProgram());
    for (const name of [
      'resources',
      'describe',
      'export',
      'api',
      'sandbox',
      'auth',
      'auth login',
      'auth status',
      'auth token',
      'auth refresh',
      'auth logout',
    ]) {
      expect(text).toContain(`## infusionsoft ${name}`);
    }
    expect(text.match(/Examples:/g)?.length).toBeGreaterThanOrEqual(6);
  });

  it('matches the committed file (run `npm run docs` after changing a command)', async () => {
    expect(readFileSync(commandReferencePath(), 'utf8')).toBe(renderCommandReference(await buildProgram()));
  });
});
